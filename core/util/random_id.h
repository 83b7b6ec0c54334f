/* Session and socket ids as engine.io's base64id makes them: 15 random bytes
 * in URL-safe base64, 20 characters. */
#ifndef SIO_RANDOM_ID_H
#define SIO_RANDOM_ID_H

#define RANDOM_ID_LEN 20

/* Writes RANDOM_ID_LEN characters and a NUL. */
void random_id(char out[RANDOM_ID_LEN + 1]);
#endif
