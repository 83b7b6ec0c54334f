/* Tests for the msgpack parser. The vectors are what npm
 * socket.io-msgpack-parser 3.0.2 (notepack.io 2.2.0, Node 20) produces: the
 * encode vectors are its Encoder's bytes for the packet the JSON stands for,
 * and the decode expectations are JSON.stringify of what its Decoder
 * accepts, with Buffers and ArrayBuffers replaced by placeholders in the
 * order socket.io-parser's deconstructPacket numbers them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sio/codec/sio_parser.h"
#include "util/json.h"

typedef struct blob {
  const char *data;
  size_t len;
} blob;

typedef struct enc_vector {
  int type;
  const char *nsp;
  int64_t id;
  const char *data; /* JSON, NULL for none */
  size_t nbins;
  blob bins[2];
  const char *wire;
  size_t wire_len;
} enc_vector;

typedef struct dec_vector {
  const char *wire;
  size_t wire_len;
  int ok; /* the rest only when the packet is valid */
  int type;
  const char *nsp;
  int64_t id;
  const char *json;
  size_t nbins;
  blob bins[2];
} dec_vector;

static const enc_vector enc_vectors[] = {
  {0, "/", -1LL, "{\042sid\042:\042abc\042}", 0,
   {{NULL, 0}},
   "\203\244type\000\244data\201\243sid\243abc\243nsp\241"
      "/",
   27},
  {0, "/admin", -1LL, NULL, 0,
   {{NULL, 0}},
   "\202\244type\000\243nsp\246/admin",
   18},
  {1, "/", -1LL, NULL, 0,
   {{NULL, 0}},
   "\202\244type\001\243nsp\241/",
   13},
  {2, "/", -1LL, "[\042hello\042,\042world\042,1,-1,3.5,true,false,nul"
      "l,{\042a\042:[1,2]}]", 0,
   {{NULL, 0}},
   "\203\244type\002\244data\231\245hello\245world\001\377"
      "\313@\014\000\000\000\000\000\000\303\302\300\201\241"
      "a\222\001\002\243nsp\241/",
   51},
  {2, "/chat", 12LL, "[\042ev\042,{\042nested\042:{\042k\042:\042v\042}}]", 0,
   {{NULL, 0}},
   "\204\244type\002\244data\222\242ev\201\246nested\201"
      "\241k\241v\243nsp\245/chat\242id\014",
   43},
  {3, "/", 7LL, "[\042ok\042]", 0,
   {{NULL, 0}},
   "\204\244type\003\244data\221\242ok\243nsp\241/\242id"
      "\007",
   26},
  {3, "/", 300LL, "[]", 0,
   {{NULL, 0}},
   "\204\244type\003\244data\220\243nsp\241/\242id\315\001"
      ",",
   25},
  {2, "/", 70000LL, "[\042x\042]", 0,
   {{NULL, 0}},
   "\204\244type\002\244data\221\241x\243nsp\241/\242id\316"
      "\000\001\021p",
   29},
  {2, "/", 4294967296LL, "[\042x\042]", 0,
   {{NULL, 0}},
   "\204\244type\002\244data\221\241x\243nsp\241/\242id\317"
      "\000\000\000\001\000\000\000\000",
   33},
  {4, "/", -1LL, "{\042message\042:\042Invalid namespace\042}", 0,
   {{NULL, 0}},
   "\203\244type\004\244data\201\247message\261Invalid n"
      "amespace\243nsp\241/",
   45},
  {4, "/", -1LL, "\042just a string\042", 0,
   {{NULL, 0}},
   "\203\244type\004\244data\255just a string\243nsp\241"
      "/",
   32},
  {5, "/", -1LL, "[\042bin\042,{\042_placeholder\042:true,\042num\042:"
      "0},{\042x\042:{\042_placeholder\042:true,\042num\042"
      ":1}}]", 2,
   {{"\001\002\003", 3}, {"\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377", 300}},
   "\203\244type\002\244data\223\243bin\304\003\001\002\003"
      "\201\241x\305\001,\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\377\377\377\377\377\377\377\377"
      "\377\377\377\377\377\243nsp\241/",
   334},
  {6, "/nsp", 5LL, "[{\042num\042:1,\042_placeholder\042:true},{\042_pla"
      "ceholder\042:true,\042num\042:0}]", 2,
   {{"", 0}, {"\000", 1}},
   "\204\244type\003\244data\222\304\001\000\304\000\243"
      "nsp\244/nsp\242id\005",
   31},
  {2, "/", -1LL, "[\042n\042,0,127,128,255,256,65535,65536,4294967295,"
      "4294967296,9007199254740993,1e20,1.5e300,-1,-32,-33,"
      "-128,-129,-32768,-32769,-2147483648,-2147483649,-1e2"
      "0,-0,1e-400,1e400,-1e400,0.1,1.0,2.5e-8,-90071992547"
      "40993,18446744073709551616,1e19,-9.3e18]", 0,
   {{NULL, 0}},
   "\203\244type\002\244data\334\000\042\241n\000\177\314"
      "\200\314\377\315\001\000\315\377\377\316\000\001\000"
      "\000\316\377\377\377\377\317\000\000\000\001\000\000"
      "\000\000\317\000 \000\000\000\000\000\000\317k\307^-"
      "c\020\000\000\317\000\000\000\000\000\000\000\000\377"
      "\340\320\337\320\200\321\377\177\321\200\000\322\377"
      "\377\177\377\322\200\000\000\000\323\377\377\377\377"
      "\177\377\377\377\323\2248\241\322\234\360\000\000\000"
      "\000\313\177\360\000\000\000\000\000\000\313\377\360"
      "\000\000\000\000\000\000\313\077\271\231\231\231\231"
      "\231\232\001\313>Z\327\362\232\274\257H\323\377\340\000"
      "\000\000\000\000\000\317\000\000\000\000\000\000\000"
      "\000\317\212\307#\004\211\350\000\000\323~\357\303F\004"
      "\336\000\000\243nsp\241/",
   196},
  {2, "/", -1LL, "[\042s\042,\0421234567890123456789012345678901\042,\042"
      "12345678901234567890123456789012\042,\042h\134u00e9l"
      "lo \134u20ac\134ud834\134udd1e\042,\042\134n\134\042"
      "\134\134\134u0001\042,\042\042]", 0,
   {{NULL, 0}},
   "\203\244type\002\244data\226\241s\277123456789012345"
      "6789012345678901\331 1234567890123456789012345678901"
      "2\256h\303\251llo \342\202\254\360\235\204\236\244\012"
      "\042\134\001\240\243nsp\241/",
   108},
  {2, "/", -1LL, "[\042arr\042,[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15],["
      "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16],{},[]]", 0,
   {{NULL, 0}},
   "\203\244type\002\244data\225\243arr\237\001\002\003\004"
      "\005\006\007\010\011\012\013\014\015\016\017\334\000"
      "\020\001\002\003\004\005\006\007\010\011\012\013\014"
      "\015\016\017\020\200\220\243nsp\241/",
   60},
  {2, "/", -1LL, "[\042obj\042,{\042a\042:1,\042b\042:2,\042c\042:3,\042"
      "d\042:4,\042e\042:5,\042f\042:6,\042g\042:7,\042h\042"
      ":8,\042i\042:9,\042j\042:10,\042k\042:11,\042l\042:1"
      "2,\042m\042:13,\042n\042:14,\042o\042:15},{\042a\042"
      ":1,\042b\042:2,\042c\042:3,\042d\042:4,\042e\042:5,\042"
      "f\042:6,\042g\042:7,\042h\042:8,\042i\042:9,\042j\042"
      ":10,\042k\042:11,\042l\042:12,\042m\042:13,\042n\042"
      ":14,\042o\042:15,\042p\042:16}]", 0,
   {{NULL, 0}},
   "\203\244type\002\244data\223\243obj\217\241a\001\241"
      "b\002\241c\003\241d\004\241e\005\241f\006\241g\007\241"
      "h\010\241i\011\241j\012\241k\013\241l\014\241m\015\241"
      "n\016\241o\017\336\000\020\241a\001\241b\002\241c\003"
      "\241d\004\241e\005\241f\006\241g\007\241h\010\241i\011"
      "\241j\012\241k\013\241l\014\241m\015\241n\016\241o\017"
      "\241p\020\243nsp\241/",
   120},
  {2, "/", -1LL, "[\042order\042,{\042b\042:1,\0422\042:2,\042a\042:3,"
      "\0421\042:4,\04201\042:5,\0424294967295\042:6,\04242"
      "94967294\042:7}]", 0,
   {{NULL, 0}},
   "\203\244type\002\244data\222\245order\207\2411\004\241"
      "2\002\2524294967294\007\241b\001\241a\003\24201\005\252"
      "4294967295\006\243nsp\241/",
   66},
  {2, "/", -1LL, " [ \042ws\042 , { \042k\042 : [ 1 , 2 ] } ] ", 0,
   {{NULL, 0}},
   "\203\244type\002\244data\222\242ws\201\241k\222\001\002"
      "\243nsp\241/",
   28},
  {2, "/", -1LL, "[\042long\042,\042xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxx\042]", 0,
   {{NULL, 0}},
   "\203\244type\002\244data\222\244long\332\001,xxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\243nsp\241/",
   327},
  {0, "/", -1LL, "{\042_placeholder\042:true,\042num\042:0}", 0,
   {{NULL, 0}},
   "\203\244type\000\244data\202\254_placeholder\303\243"
      "num\000\243nsp\241/",
   38},
  {2, "/", -1LL, "[\042lit\042,{\042_placeholder\042:true,\042num\042:"
      "0}]", 0,
   {{NULL, 0}},
   "\203\244type\002\244data\222\243lit\202\254_placehol"
      "der\303\243num\000\243nsp\241/",
   43},
};

static const dec_vector dec_vectors[] = {
  /* {"type":0,"data":{"token":"t"},"nsp":"/"} */
  {"\203\244type\000\244data\201\245token\241t\243nsp\241"
      "/", 27,
   1, 0, "/", -1LL, "{\042token\042:\042t\042}", 0,
   {{NULL, 0}}},
  /* {"type":0,"nsp":"/"} */
  {"\203\244type\000\244data\324\000\000\243nsp\241/", 21,
   1, 0, "/", -1LL, NULL, 0,
   {{NULL, 0}}},
  /* {"type":0,"nsp":"/admin"} */
  {"\202\244type\000\243nsp\246/admin", 18,
   1, 0, "/admin", -1LL, NULL, 0,
   {{NULL, 0}}},
  /* {"type":1,"nsp":"/"} */
  {"\202\244type\001\243nsp\241/", 13,
   1, 1, "/", -1LL, NULL, 0,
   {{NULL, 0}}},
  /* {"type":2,"data":["ev",1,"two",[3],{"four":4}],"options":{"compress":t */
  {"\205\244type\002\244data\225\242ev\001\243two\221\003"
      "\201\244four\004\247options\201\250compress\303\242i"
      "d\003\243nsp\241/", 59,
   1, 2, "/", 3LL, "[\042ev\042,1,\042two\042,[3],{\042four\042:4}]", 0,
   {{NULL, 0}}},
  /* {"type":2,"data":["bin",{"type":"Buffer","data":[1,2,3]},{"b":{"type": */
  {"\203\244type\002\244data\223\243bin\304\003\001\002\003"
      "\201\241b\304\000\243nsp\241/", 33,
   1, 5, "/", -1LL, "[\042bin\042,{\042_placeholder\042:true,\042num\042:"
      "0},{\042b\042:{\042_placeholder\042:true,\042num\042"
      ":1}}]", 2,
   {{"\001\002\003", 3}, {"", 0}}},
  /* {"type":2,"data":["ab",{},{"0":5,"1":6}],"nsp":"/"} */
  {"\203\244type\002\244data\223\242ab\307\003\000\011\010"
      "\007\307\002\000\005\006\243nsp\241/", 33,
   1, 5, "/", -1LL, "[\042ab\042,{\042_placeholder\042:true,\042num\042:0"
      "},{\042_placeholder\042:true,\042num\042:1}]", 2,
   {{"\011\010\007", 3}, {"\005\006", 2}}},
  /* {"type":3,"data":[{"type":"Buffer","data":[104,105]}],"id":42,"nsp":"/ */
  {"\204\244type\003\244data\221\304\002hi\242id*\243nsp"
      "\242/x", 28,
   1, 6, "/x", 42LL, "[{\042_placeholder\042:true,\042num\042:0}]", 1,
   {{"hi", 2}}},
  /* {"type":3,"data":[],"id":0,"nsp":"/"} */
  {"\204\244type\003\244data\220\242id\000\243nsp\241/", 23,
   1, 3, "/", 0LL, "[]", 0,
   {{NULL, 0}}},
  /* {"type":2,"data":["undef",null,{"b":1}],"nsp":"/"} */
  {"\203\244type\002\244data\223\245undef\324\000\000\202"
      "\241a\324\000\000\241b\001\243nsp\241/", 37,
   1, 2, "/", -1LL, "[\042undef\042,null,{\042b\042:1}]", 0,
   {{NULL, 0}}},
  /* {"type":2,"data":["date","1970-01-01T00:00:00.000Z","2023-11-14T22:13: */
  {"\203\244type\002\244data\227\244date\327\000\000\000"
      "\000\000\000\000\000\000\327\000\000\000\001\213\317"
      "\345h{\327\000\377\377\377\377\377\377\377\377\327\000"
      "\377\377\307n9Jt\000\327\000\000\000\346w\322\037\334"
      "\000\327\000\377\341M\367=$\000\000\243nsp\241/", 84,
   1, 2, "/", -1LL, "[\042date\042,\0421970-01-01T00:00:00.000Z\042,\0422"
      "023-11-14T22:13:20.123Z\042,\0421969-12-31T23:59:59."
      "999Z\042,\042-000001-01-01T00:00:00.000Z\042,\042+01"
      "0000-01-01T00:00:00.000Z\042,\042-271821-04-20T00:00"
      ":00.000Z\042]", 0,
   {{NULL, 0}}},
  /* {"type":2,"data":["floats",0.1,-2.5,1e+21,1e-7,1.23e-18,1.797693134862 */
  {"\203\244type\002\244data\233\246floats\313\077\271\231"
      "\231\231\231\231\232\313\300\004\000\000\000\000\000"
      "\000\3175\311\255\305\336\240\000\000\313>z\327\362\232"
      "\274\257H\313<6\260\202\302\024\213\216\317\000\000\000"
      "\000\000\000\000\000\313\000\000\000\000\000\000\000"
      "\001\313>\260\306\367\240\265\355\215\313A\235o4T\200"
      "\000\000\317\000\000\000\000\000\000\000\000\243nsp\241"
      "/", 116,
   1, 2, "/", -1LL, "[\042floats\042,0.1,-2.5,3875820019684212700,1e-7,1."
      "23e-18,0,5e-324,0.000001,123456789.125,0]", 0,
   {{NULL, 0}}},
  /* {"type":2,"data":["ints",0,-1,-32,-33,127,128,65535,65536,4294967295,4 */
  {"\203\244type\002\244data\237\244ints\000\377\340\320"
      "\337\177\314\200\315\377\377\316\000\001\000\000\316"
      "\377\377\377\377\317\000\000\000\001\000\000\000\000"
      "\323\377\377\377\377\177\377\377\377\317\000 \000\000"
      "\000\000\000\000\317\000\000\000\000\000\000\000\000"
      "\323\200\000\000\000\000\000\000\000\243nsp\241/", 90,
   1, 2, "/", -1LL, "[\042ints\042,0,-1,-32,-33,127,128,65535,65536,42949"
      "67295,4294967296,-2147483649,9007199254740992,0,-922"
      "3372036854776000]", 0,
   {{NULL, 0}}},
  /* {"type":2,"data":["str","héllo €𝄞","\n\"\\\u0001\u001f"," "],"nsp":" */
  {"\203\244type\002\244data\224\243str\256h\303\251llo "
      "\342\202\254\360\235\204\236\246\012\042\134\001\037"
      "\177\243\342\200\250\243nsp\241/", 49,
   1, 2, "/", -1LL, "[\042str\042,\042h\303\251llo \342\202\254\360\235\204"
      "\236\042,\042\134n\134\042\134\134\134u0001\134u001f"
      "\177\042,\042\342\200\250\042]", 0,
   {{NULL, 0}}},
  /* {"type":4,"data":{"message":"Not authorized","data":{"code":1}},"nsp": */
  {"\203\244type\004\244data\202\247message\256Not autho"
      "rized\244data\201\244code\001\243nsp\241/", 54,
   1, 4, "/", -1LL, "{\042message\042:\042Not authorized\042,\042data\042"
      ":{\042code\042:1}}", 0,
   {{NULL, 0}}},
  /* {"type":4,"data":"plain","nsp":"/"} */
  {"\203\244type\004\244data\245plain\243nsp\241/", 24,
   1, 4, "/", -1LL, "\042plain\042", 0,
   {{NULL, 0}}},
  /* {"type":0,"data":{"buf":{"type":"Buffer","data":[1,200]},"ab":{}},"nsp */
  {"\203\244type\000\244data\202\243buf\304\002\001\310\242"
      "ab\307\003\000\011\010\007\243nsp\241/", 36,
   1, 0, "/", -1LL, "{\042buf\042:{\042type\042:\042Buffer\042,\042data\042"
      ":[1,200]},\042ab\042:{}}", 0,
   {{NULL, 0}}},
  /* {"type":2,"data":["x"],"id":1.5,"nsp":"/"} */
  {"\204\244type\002\244data\221\241x\242id\313\077\370\000"
      "\000\000\000\000\000\243nsp\241/", 33,
   0, 0, NULL, -1LL, NULL, 0, {{NULL, 0}}},
  /* {"type":5,"data":["x"],"nsp":"/"} */
  {"\203\244type\005\244data\221\241x\243nsp\241/", 21,
   0, 0, NULL, -1LL, NULL, 0, {{NULL, 0}}},
  /* {"type":-1,"data":["x"],"nsp":"/"} */
  {"\203\244type\377\244data\221\241x\243nsp\241/", 21,
   0, 0, NULL, -1LL, NULL, 0, {{NULL, 0}}},
  /* {"type":2,"data":["x"],"nsp":1} */
  {"\203\244type\002\244data\221\241x\243nsp\001", 20,
   0, 0, NULL, -1LL, NULL, 0, {{NULL, 0}}},
  /* {"type":2,"data":["x"]} */
  {"\202\244type\002\244data\221\241x", 15,
   0, 0, NULL, -1LL, NULL, 0, {{NULL, 0}}},
  /* {"type":2,"data":[],"nsp":"/"} */
  {"\203\244type\002\244data\220\243nsp\241/", 19,
   0, 0, NULL, -1LL, NULL, 0, {{NULL, 0}}},
  /* {"type":2,"data":[1],"nsp":"/"}: a number names an event, as in
   * socket.io-parser */
  {"\203\244type\002\244data\221\001\243nsp\241/", 20,
   1, 2, "/", -1LL, "[1]", 0, {{NULL, 0}}},
  /* {"type":2,"data":[true],"nsp":"/"} */
  {"\203\244type\002\244data\221\303\243nsp\241/", 20,
   0, 0, NULL, -1LL, NULL, 0, {{NULL, 0}}},
  /* {"type":2,"data":["connect"],"nsp":"/"} */
  {"\203\244type\002\244data\221\247connect\243nsp\241/", 27,
   0, 0, NULL, -1LL, NULL, 0, {{NULL, 0}}},
  /* {"type":2,"data":["disconnecting"],"nsp":"/"} */
  {"\203\244type\002\244data\221\255disconnecting\243nsp"
      "\241/", 33,
   0, 0, NULL, -1LL, NULL, 0, {{NULL, 0}}},
  /* {"type":2,"data":{"a":1},"nsp":"/"} */
  {"\203\244type\002\244data\201\241a\001\243nsp\241/", 22,
   0, 0, NULL, -1LL, NULL, 0, {{NULL, 0}}},
  /* {"type":3,"data":"x","nsp":"/"} */
  {"\203\244type\003\244data\241x\243nsp\241/", 20,
   0, 0, NULL, -1LL, NULL, 0, {{NULL, 0}}},
  /* {"type":1,"data":null,"nsp":"/"} */
  {"\203\244type\001\244data\300\243nsp\241/", 19,
   0, 0, NULL, -1LL, NULL, 0, {{NULL, 0}}},
  /* {"type":0,"data":[1],"nsp":"/"} */
  {"\203\244type\000\244data\221\001\243nsp\241/", 20,
   0, 0, NULL, -1LL, NULL, 0, {{NULL, 0}}},
  /* {"type":0,"data":"s","nsp":"/"} */
  {"\203\244type\000\244data\241s\243nsp\241/", 20,
   0, 0, NULL, -1LL, NULL, 0, {{NULL, 0}}},
  /* {"type":4,"data":3,"nsp":"/"} */
  {"\203\244type\004\244data\003\243nsp\241/", 19,
   0, 0, NULL, -1LL, NULL, 0, {{NULL, 0}}},
  /* {"type":4,"nsp":"/"} */
  {"\202\244type\004\243nsp\241/", 13,
   0, 0, NULL, -1LL, NULL, 0, {{NULL, 0}}},
  /* {"type":2,"data":["x"],"id":-1,"nsp":"/"} */
  {"\204\244type\002\244data\221\241x\242id\377\243nsp\241"
      "/", 25,
   0, 0, NULL, -1LL, NULL, 0, {{NULL, 0}}},
  /* {"type":"2","data":["x"],"nsp":"/"} */
  {"\203\244type\2412\244data\221\241x\243nsp\241/", 22,
   0, 0, NULL, -1LL, NULL, 0, {{NULL, 0}}},
  /* {"type":2,"data":["x"],"id":"1","nsp":"/"} */
  {"\204\244type\002\244data\221\241x\242id\2411\243nsp\241"
      "/", 26,
   0, 0, NULL, -1LL, NULL, 0, {{NULL, 0}}},
  /* {"type":2,"data":["x",{"k":[{"deep":[true,false,null]}]}],"nsp":"/","e */
  {"\204\244type\002\244data\222\241x\201\241k\221\201\244"
      "deep\223\303\302\300\243nsp\241/\245extra\222\001\201"
      "\241y\002", 47,
   1, 2, "/", -1LL, "[\042x\042,{\042k\042:[{\042deep\042:[true,false,nul"
      "l]}]}]", 0,
   {{NULL, 0}}},
  /* raw 83a474797065d000a46461746180a36e7370a12f */
  {"\203\244type\320\000\244data\200\243nsp\241/", 20,
   1, 0, "/", -1LL, "{}", 0,
   {{NULL, 0}}},
  /* raw 83a474797065cb4000000000000000a46461746191a178a36e7370a12f */
  {"\203\244type\313@\000\000\000\000\000\000\000\244dat"
      "a\221\241x\243nsp\241/", 29,
   1, 2, "/", -1LL, "[\042x\042]", 0,
   {{NULL, 0}}},
  /* raw 83a474797065ca40000000a46461746191a178a36e7370a12f */
  {"\203\244type\312@\000\000\000\244data\221\241x\243ns"
      "p\241/", 25,
   1, 2, "/", -1LL, "[\042x\042]", 0,
   {{NULL, 0}}},
  /* raw 84a474797065cb4004000000000000a46461746191a178a36e7370a12fa2 */
  {"\204\244type\313@\004\000\000\000\000\000\000\244dat"
      "a\221\241x\243nsp\241/\242id\313\077\360\000\000\000"
      "\000\000\000", 41,
   0, 0, NULL, -1LL, NULL, 0, {{NULL, 0}}},
  /* raw 84a47479706502a46461746191a178a36e7370a12fa26964cb4008000000 */
  {"\204\244type\002\244data\221\241x\243nsp\241/\242id\313"
      "@\010\000\000\000\000\000\000", 33,
   1, 2, "/", 3LL, "[\042x\042]", 0,
   {{NULL, 0}}},
  /* raw 84a47479706502a46461746191a178a36e7370a12fa26964d4000000 */
  {"\204\244type\002\244data\221\241x\243nsp\241/\242id\324"
      "\000\000\000", 28,
   0, 0, NULL, -1LL, NULL, 0, {{NULL, 0}}},
  /* raw 83a47479706502a46461746192a178d50102ffa36e7370a12f */
  {"\203\244type\002\244data\222\241x\325\001\002\377\243"
      "nsp\241/", 25,
   1, 5, "/", -1LL, "[\042x\042,[1,{\042_placeholder\042:true,\042num\042"
      ":0}]]", 1,
   {{"\002\377", 2}}},
  /* raw 83a47479706502a46461746192a178c702050102a36e7370a12f */
  {"\203\244type\002\244data\222\241x\307\002\005\001\002"
      "\243nsp\241/", 26,
   1, 5, "/", -1LL, "[\042x\042,[5,{\042_placeholder\042:true,\042num\042"
      ":0}]]", 1,
   {{"\001\002", 2}}},
  /* raw 83a47479706502a46461746192a178d40000a36e7370a12f */
  {"\203\244type\002\244data\222\241x\324\000\000\243nsp"
      "\241/", 24,
   1, 2, "/", -1LL, "[\042x\042,null]", 0,
   {{NULL, 0}}},
  /* raw 83a47479706502a46461746192a178d4000aa36e7370a12f */
  {"\203\244type\002\244data\222\241x\324\000\012\243nsp"
      "\241/", 24,
   1, 2, "/", -1LL, "[\042x\042,null]", 0,
   {{NULL, 0}}},
  /* raw 83a47479706502a46461746192a178d5000102a36e7370a12f */
  {"\203\244type\002\244data\222\241x\325\000\001\002\243"
      "nsp\241/", 25,
   1, 5, "/", -1LL, "[\042x\042,[0,{\042_placeholder\042:true,\042num\042"
      ":0}]]", 1,
   {{"\001\002", 2}}},
  /* raw 83a47479706502a46461746192a178d7007fffffffffffffffa36e7370a1 */
  {"\203\244type\002\244data\222\241x\327\000\177\377\377"
      "\377\377\377\377\377\243nsp\241/", 31,
   1, 2, "/", -1LL, "[\042x\042,null]", 0,
   {{NULL, 0}}},
  /* raw 83a47479706502a46461746192a178d700ffffffffffffffffa36e7370a1 */
  {"\203\244type\002\244data\222\241x\327\000\377\377\377"
      "\377\377\377\377\377\243nsp\241/", 31,
   1, 2, "/", -1LL, "[\042x\042,\0421969-12-31T23:59:59.999Z\042]", 0,
   {{NULL, 0}}},
  /* raw 83a47479706502a46461746192a178a3c3a9ffa36e7370a12f */
  {"\203\244type\002\244data\222\241x\243\303\251\377\243"
      "nsp\241/", 25,
   1, 2, "/", -1LL, "[\042x\042,\042\303\251\357\277\275\042]", 0,
   {{NULL, 0}}},
  /* raw 83a47479706502a46461746192a178a6e282e0a080f4a36e7370a12f */
  {"\203\244type\002\244data\222\241x\246\342\202\340\240"
      "\200\364\243nsp\241/", 28,
   1, 2, "/", -1LL, "[\042x\042,\042\357\277\275\340\240\200\357\277\275\042"
      "]", 0,
   {{NULL, 0}}},
  /* raw 83a47479706502a46461746192a178a5eda080c0afa36e7370a12f */
  {"\203\244type\002\244data\222\241x\245\355\240\200\300"
      "\257\243nsp\241/", 27,
   1, 2, "/", -1LL, "[\042x\042,\042\357\277\275\357\277\275\357\277\275\357"
      "\277\275\357\277\275\042]", 0,
   {{NULL, 0}}},
  /* raw 83a47479706502a46461746192a17881a26b31a27631a36e7370a12f */
  {"\203\244type\002\244data\222\241x\201\242k1\242v1\243"
      "nsp\241/", 28,
   1, 2, "/", -1LL, "[\042x\042,{\042k1\042:\042v1\042}]", 0,
   {{NULL, 0}}},
  /* raw 83a47479706502a46461746191a178a36e7370a12fc0 */
  {"\203\244type\002\244data\221\241x\243nsp\241/\300", 22,
   0, 0, NULL, -1LL, NULL, 0, {{NULL, 0}}},
  /* raw 84a47479706502a46461746191a178a36e7370a12fa36e7370a22f61 */
  {"\204\244type\002\244data\221\241x\243nsp\241/\243nsp"
      "\242/a", 28,
   1, 2, "/a", -1LL, "[\042x\042]", 0,
   {{NULL, 0}}},
  /* raw 83a47479706502a46461746192a178c0a36e7370a3c1 */
  {"\203\244type\002\244data\222\241x\300\243nsp\243\301", 22,
   0, 0, NULL, -1LL, NULL, 0, {{NULL, 0}}},
  /* raw 93a47479706502a464617461 */
  {"\223\244type\002\244data", 12,
   0, 0, NULL, -1LL, NULL, 0, {{NULL, 0}}},
  /* raw 83a47479706502a46461746191a178a36e7370a2ff2f */
  {"\203\244type\002\244data\221\241x\243nsp\242\377/", 22,
   1, 2, "\357\277\275/", -1LL, "[\042x\042]", 0,
   {{NULL, 0}}},
  /* raw 84c001a47479706502a46461746191a178a36e7370a12f */
  {"\204\300\001\244type\002\244data\221\241x\243nsp\241"
      "/", 23,
   1, 2, "/", -1LL, "[\042x\042]", 0,
   {{NULL, 0}}},
};

#define COUNT(a) (sizeof(a) / sizeof *(a))
#define MAX_PAYLOAD 1000000

static sio_packet make_packet(int type, const char *nsp, int64_t id,
                              const char *data, size_t nbins,
                              const blob *bins) {
  sio_packet p;
  sio_packet_init(&p);
  p.type = type;
  p.nsp = (char *)nsp;
  p.id = id;
  p.data = (char *)data;
  p.data_len = data ? strlen(data) : 0;
  p.nattach = p.nbins = nbins;
  p.bins = (sio_attachment *)bins; /* same layout: data, len */
  return p;
}

static rbuf *encode1(const sio_packet *p) {
  rbuf *out[SIO_MAX_ENCODED];
  size_t n = 99;
  if (sio_parser_msgpack.encode(p, out, &n)) return NULL;
  CHECK(n == 1);
  CHECK(out[0]->refs == 1 && out[0]->binary == 1);
  return out[0];
}

/* Decodes one binary message with a fresh decoder. */
static int decode1(const void *wire, size_t len, size_t max, sio_packet *p) {
  sio_decoder *d = sio_parser_msgpack.decoder_new(max);
  CHECK(d);
  sio_packet_init(p);
  int rc = sio_parser_msgpack.decode(d, wire, len, 1, p);
  sio_parser_msgpack.decoder_free(d);
  CHECK(rc == 1 || rc == -1);
  if (rc < 0) {
    CHECK(p->nsp == NULL && p->data == NULL && p->bins == NULL);
  }
  return rc;
}

static void check_same(const sio_packet *a, const sio_packet *b) {
  CHECK(a->type == b->type && a->id == b->id && a->nbins == b->nbins &&
        a->nattach == b->nattach);
  CHECK_STR(a->nsp, b->nsp);
  CHECK((a->data == NULL) == (b->data == NULL));
  if (a->data) CHECK_MEM(a->data, a->data_len, b->data, b->data_len);
  for (size_t k = 0; k < a->nbins; k++)
    CHECK_MEM(a->bins[k].data, a->bins[k].len, b->bins[k].data, b->bins[k].len);
}

static void test_encode_vectors(void) {
  for (size_t v = 0; v < COUNT(enc_vectors); v++) {
    const enc_vector *e = &enc_vectors[v];
    sio_packet p =
        make_packet(e->type, e->nsp, e->id, e->data, e->nbins, e->bins);
    rbuf *b = encode1(&p);
    CHECK(b);
    CHECK_MEM(b->data, b->len, e->wire, e->wire_len);
    rbuf_unref(b);
  }
}

static void test_decode_vectors(void) {
  for (size_t v = 0; v < COUNT(dec_vectors); v++) {
    const dec_vector *e = &dec_vectors[v];
    sio_packet p;
    int rc = decode1(e->wire, e->wire_len, MAX_PAYLOAD, &p);
    if (rc != (e->ok ? 1 : -1)) {
      fprintf(stderr, "decode vector %zu: got %d\n", v, rc);
      exit(1);
    }
    if (!e->ok) continue;
    sio_packet want =
        make_packet(e->type, e->nsp, e->id, e->json, e->nbins, e->bins);
    check_same(&p, &want);
    /* What was decoded encodes to a message that decodes the same. */
    rbuf *b = encode1(&p);
    CHECK(b);
    sio_packet again;
    CHECK(decode1(b->data, b->len, MAX_PAYLOAD, &again) == 1);
    check_same(&again, &p);
    rbuf_unref(b);
    sio_packet_clear(&again);
    /* Every shorter prefix is an incomplete map. */
    for (size_t n = 0; n < e->wire_len; n++)
      CHECK(decode1(e->wire, n, MAX_PAYLOAD, &again) == -1);
    sio_packet_clear(&p);
  }
}

/* The encoded vectors are accepted back, attachments in place. */
static void test_encode_decode(void) {
  for (size_t v = 0; v < COUNT(enc_vectors); v++) {
    const enc_vector *e = &enc_vectors[v];
    sio_packet p;
    CHECK(decode1(e->wire, e->wire_len, MAX_PAYLOAD, &p) == 1);
    CHECK_STR(p.nsp, e->nsp);
    CHECK(p.id == e->id);
    CHECK(p.nbins == e->nbins);
    CHECK(p.type == e->type);
    sio_packet_clear(&p);
  }
}

static void test_text_and_size(void) {
  const enc_vector *e = &enc_vectors[0];
  sio_decoder *d = sio_parser_msgpack.decoder_new(MAX_PAYLOAD);
  sio_packet p;
  sio_packet_init(&p);
  CHECK(sio_parser_msgpack.decode(d, e->wire, e->wire_len, 0, &p) == -1);
  CHECK(sio_parser_msgpack.decode(d, "0", 1, 0, &p) == -1);
  CHECK(sio_parser_msgpack.decode(d, "", 0, 1, &p) == -1);
  sio_parser_msgpack.decoder_free(d);
  CHECK(decode1(e->wire, e->wire_len, e->wire_len - 1, &p) == -1);
  CHECK(decode1(e->wire, e->wire_len, e->wire_len, &p) == 1);
  sio_packet_clear(&p);
  sio_parser_msgpack.decoder_free(NULL);

  /* The JSON text may not grow past max_payload: 40 fixints 100 take 40
   * bytes of msgpack but 160 of JSON. */
  unsigned char m[80] = {0x83, 0xa4, 't', 'y', 'p', 'e', 0x02, 0xa4, 'd', 'a',
                         't', 'a', 0xdc, 0, 41, 0xa1, 'x'};
  size_t n = 17;
  for (int k = 0; k < 40; k++) m[n++] = 100;
  memcpy(m + n, "\xa3nsp\xa1/", 6);
  n += 6;
  CHECK(decode1(m, n, 100, &p) == -1);
  CHECK(decode1(m, n, 200, &p) == 1);
  CHECK(p.data_len == 165);
  sio_packet_clear(&p);
}

/* A packet whose namespace is the empty string names none: refused (found
 * by fuzz_sio_msgpack, whose check wants every decoded packet to name one). */
static void test_empty_namespace_refused(void) {
  static const char connect_empty[] = "\202\244type\000\243nsp\240";
  static const char event_empty[] = "\203\244type\002\244data\221\241x\243nsp\240";
  sio_packet p;
  CHECK(decode1(connect_empty, sizeof connect_empty - 1, MAX_PAYLOAD, &p) == -1);
  CHECK(decode1(event_empty, sizeof event_empty - 1, MAX_PAYLOAD, &p) == -1);
  static const char connect_root[] = "\202\244type\000\243nsp\241/";
  CHECK(decode1(connect_root, sizeof connect_root - 1, MAX_PAYLOAD, &p) == 1);
  CHECK_STR(p.nsp, "/");
  sio_packet_clear(&p);
}

/* {type: 2, data: ["x", <inner>], nsp: "/"} */
static size_t event_with(unsigned char *out, const void *inner, size_t n) {
  static const unsigned char head[] = {0x83, 0xa4, 't',  'y', 'p',
                                       'e',  0x02, 0xa4, 'd', 'a',
                                       't',  'a',  0x92, 0xa1, 'x'};
  memcpy(out, head, sizeof head);
  memcpy(out + sizeof head, inner, n);
  memcpy(out + sizeof head + n, "\xa3nsp\xa1/", 6);
  return sizeof head + n + 6;
}

static void expect_event(const void *inner, size_t n, const char *json) {
  unsigned char m[512];
  sio_packet p;
  size_t len = event_with(m, inner, n);
  int rc = decode1(m, len, MAX_PAYLOAD, &p);
  if (!json) {
    CHECK(rc == -1);
    return;
  }
  CHECK(rc == 1);
  CHECK_STR(p.data, json);
  sio_packet_clear(&p);
}

#define EXPECT_EVENT(lit, json) expect_event(lit, sizeof lit - 1, json)

static void test_malformed(void) {
  /* Declared lengths far past the input. */
  EXPECT_EVENT("\xdb\xff\xff\xff\xff", NULL);
  EXPECT_EVENT("\xc6\xff\xff\xff\xff", NULL);
  EXPECT_EVENT("\xc9\xff\xff\xff\xff\x00", NULL);
  EXPECT_EVENT("\xdd\xff\xff\xff\xff", NULL);
  EXPECT_EVENT("\xdf\xff\xff\xff\xff", NULL);
  EXPECT_EVENT("\xdc\x00\x10\x01", NULL);
  EXPECT_EVENT("\xde\x00\x01\x01", NULL);
  /* A map needs two items per entry: three bytes cannot hold two. */
  EXPECT_EVENT("\xdf\x00\x00\x00\x02\x01\x01\x01", NULL);
  EXPECT_EVENT("\xc1", NULL);
  EXPECT_EVENT("\xcb\x00", NULL);
  /* Keys: scalars become property names, containers are refused. */
  EXPECT_EVENT("\x84\x01\x02\xc0\x03\xc3\x04"
               "\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00\x05",
               "[\"x\",{\"1\":2,\"null\":3,\"true\":4,\"1.5\":5}]");
  EXPECT_EVENT("\x81\x90\x01", NULL);
  EXPECT_EVENT("\x81\xc4\x00\x01", NULL);
  /* __proto__ only sets a prototype: JSON.stringify leaves it out. */
  EXPECT_EVENT("\x82\xa9__proto__\x81\xa1\x61\x01\xa1\x62\x02",
               "[\"x\",{\"b\":2}]");
  /* Dates: the last one JavaScript can hold, one past it (invalid), one
   * before year 0. */
  EXPECT_EVENT("\xd7\x00\x00\x1e\xb2\x08\xc2\xdc\x00\x00",
               "[\"x\",\"+275760-09-13T00:00:00.000Z\"]");
  EXPECT_EVENT("\xd7\x00\x00\x1e\xb2\x08\xc2\xdc\x00\x01", "[\"x\",null]");
  EXPECT_EVENT("\xd7\x00\xff\xff\xc6\x85\x64\xa5\x64\x00",
               "[\"x\",\"-000033-04-24T22:13:20.000Z\"]");
  /* Floats as JavaScript prints them. */
  EXPECT_EVENT("\xca\x3d\xcc\xcc\xcd", "[\"x\",0.10000000149011612]");
  EXPECT_EVENT("\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00", "[\"x\",null]");
  EXPECT_EVENT("\xcb\x80\x00\x00\x00\x00\x00\x00\x00", "[\"x\",0]");
  EXPECT_EVENT("\xcb\x43\x50\x00\x00\x00\x00\x00\x00",
               "[\"x\",18014398509481984]");
  EXPECT_EVENT("\xcb\x43\x60\x00\x00\x00\x00\x00\x0f",
               "[\"x\",36028797018964090]");
  EXPECT_EVENT("\xcb\x44\xed\x0a\x2a\xd1\xe3\xbd\x85",
               "[\"x\",1.0970894475326372e+24]");
  EXPECT_EVENT("\xcb\x3e\xb0\xc6\xf7\xa0\xb5\xed\x8d", "[\"x\",0.000001]");
  EXPECT_EVENT("\xcb\x3e\x7a\xd7\xf2\x9a\xbc\xaf\x48", "[\"x\",1e-7]");
  EXPECT_EVENT("\xd3\xbf\x55\x2d\xe4\xc4\x90\x00\x00",
               "[\"x\",-4659767778871345000]");
  EXPECT_EVENT("\xd3\x80\x00\x00\x00\x00\x00\x00\x01",
               "[\"x\",-9223372036854776000]");
  EXPECT_EVENT("\xcf\xff\xff\xff\xff\xff\xff\xff\xff",
               "[\"x\",18446744073709552000]");
  EXPECT_EVENT("\xd3\xff\xff\xff\xff\xff\xff\xfc\x00", "[\"x\",-1024]");
  /* A literal placeholder object is data, unless real binary values come
   * with it: the core would then take it for one of them. */
  EXPECT_EVENT("\x82\xac_placeholder\xc3\xa3num\x00",
               "[\"x\",{\"_placeholder\":true,\"num\":0}]");
  EXPECT_EVENT("\x92\x82\xac_placeholder\xc3\xa3num\x00\xc4\x01\x07", NULL);
  EXPECT_EVENT("\x92\x82\xac_placeholder\xc2\xa3num\x00\xc4\x01\x07",
               "[\"x\",[{\"_placeholder\":false,\"num\":0},"
               "{\"_placeholder\":true,\"num\":0}]]");
}

/* An EVENT whose data nests depth containers (the data array included)
 * around leaf; what it decodes to must pass the JSON parser's checks. */
static int decode_nested_leaf(int depth, int in_unknown_key, const char *leaf, size_t leaf_len) {
  unsigned char m[200];
  size_t n = 0;
  m[n++] = in_unknown_key ? 0x84 : 0x83;
  memcpy(m + n, "\xa4type\x02\xa4" "data", 11);
  n += 11;
  if (in_unknown_key) {
    memcpy(m + n, "\x91\xa1x\xa5other", 9);
    n += 9;
  } else {
    memcpy(m + n, "\x92\xa1x", 3);
    n += 3;
    depth--;
  }
  for (int k = 0; k < depth; k++) m[n++] = 0x91;
  memcpy(m + n, leaf, leaf_len);
  n += leaf_len;
  memcpy(m + n, "\xa3nsp\xa1/", 6);
  n += 6;
  sio_packet p;
  int rc = decode1(m, n, MAX_PAYLOAD, &p);
  if (rc == 1 && !in_unknown_key) CHECK(json_validate(p.data, p.data_len) == 0);
  sio_packet_clear(&p);
  return rc;
}

static int decode_nested(int depth, int in_unknown_key) {
  return decode_nested_leaf(depth, in_unknown_key, "\xc0", 1);
}

static void test_depth(void) {
  CHECK(decode_nested(64, 0) == 1);
  CHECK(decode_nested(65, 0) == -1);
  CHECK(decode_nested(64, 1) == 1);
  CHECK(decode_nested(65, 1) == -1);
  /* A bin becomes a placeholder object, one container more; an extension
   * [type, placeholder] two more. */
  CHECK(decode_nested_leaf(63, 0, "\xc4\x01z", 3) == 1);
  CHECK(decode_nested_leaf(64, 0, "\xc4\x01z", 3) == -1);
  CHECK(decode_nested_leaf(62, 0, "\xd4\x05z", 3) == 1);
  CHECK(decode_nested_leaf(63, 0, "\xd4\x05z", 3) == -1);
  /* The same bound on the JSON an encode reads. */
  char json[200];
  for (int depth = 64; depth <= 65; depth++) {
    size_t n = 0;
    for (int k = 0; k < depth; k++) json[n++] = '[';
    for (int k = 0; k < depth; k++) json[n++] = ']';
    json[n] = 0;
    sio_packet p = make_packet(SIO_P_ACK, "/", 1, json, 0, NULL);
    rbuf *out[SIO_MAX_ENCODED];
    size_t nout = 0;
    int rc = sio_parser_msgpack.encode(&p, out, &nout);
    CHECK(rc == (depth == 64 ? 0 : -1));
    if (rc == 0) rbuf_unref(out[0]);
  }
}

/* Headers of long strings, arrays and bins, as notepack.io writes them. */
static void test_long_values(void) {
  size_t n = 70000;
  char *json = malloc(n + 40), *bin = malloc(n);
  CHECK(json && bin);
  memcpy(json, "[\"", 2);
  memset(json + 2, 'a', n);
  memcpy(json + 2 + n, "\",", 2);
  strcpy(json + 4 + n, "{\"_placeholder\":true,\"num\":0}]");
  memset(bin, 7, n);
  blob b = {bin, n};
  sio_packet p = make_packet(SIO_P_BINARY_ACK, "/", 1, json, 1, &b);
  rbuf *r = encode1(&p);
  CHECK(r);
  static const char head[] =
      "\x84\xa4type\x03\xa4" "data\x92\xdb\x00\x01\x11\x70";
  CHECK(r->len == sizeof head - 1 + n + 5 + n + 10);
  CHECK(memcmp(r->data, head, sizeof head - 1) == 0);
  CHECK(memcmp(r->data + sizeof head - 1 + n, "\xc6\x00\x01\x11\x70", 5) == 0);
  CHECK(memcmp(r->data + r->len - 10, "\xa3nsp\xa1/\xa2id\x01", 10) == 0);
  sio_packet q;
  CHECK(decode1(r->data, r->len, MAX_PAYLOAD, &q) == 1);
  check_same(&q, &p);
  sio_packet_clear(&q);
  rbuf_unref(r);

  /* 300 bytes: str 16 / bin 16, an array of 70000: array 32. */
  json[2 + 300] = 0;
  memcpy(json + 2 + 300, "\",{\"_placeholder\":true,\"num\":0}]", 33);
  b.len = 300;
  p = make_packet(SIO_P_BINARY_EVENT, "/", -1, json, 1, &b);
  r = encode1(&p);
  CHECK(r && r->len == 13 + 3 + 300 + 3 + 300 + 6);
  CHECK(memcmp(r->data + 13, "\xda\x01\x2c", 3) == 0);
  CHECK(memcmp(r->data + 13 + 303, "\xc5\x01\x2c", 3) == 0);
  rbuf_unref(r);

  char *arr = malloc(2 * n + 8);
  CHECK(arr);
  size_t k = 0;
  arr[k++] = '[';
  arr[k++] = '"';
  arr[k++] = 'x';
  arr[k++] = '"';
  for (size_t i = 1; i < n; i++) {
    arr[k++] = ',';
    arr[k++] = '0';
  }
  arr[k++] = ']';
  arr[k] = 0;
  p = make_packet(SIO_P_EVENT, "/", -1, arr, 0, NULL);
  r = encode1(&p);
  CHECK(r && memcmp(r->data + 12, "\xdd\x00\x01\x11\x70\xa1x\x00", 8) == 0);
  CHECK(decode1(r->data, r->len, MAX_PAYLOAD, &q) == 1);
  CHECK_STR(q.data, arr);
  sio_packet_clear(&q);
  rbuf_unref(r);
  free(arr);
  free(json);
  free(bin);
}

/* Random damage to valid messages: never a crash, a leak or a packet the
 * encoder cannot send back. */
static void test_mutations(void) {
  uint64_t seed = 0x9e3779b97f4a7c15ull;
  unsigned char m[1024];
  for (int iter = 0; iter < 200000; iter++) {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    const dec_vector *e = &dec_vectors[seed % COUNT(dec_vectors)];
    if (e->wire_len > sizeof m - 8) continue;
    size_t n = e->wire_len;
    memcpy(m, e->wire, n);
    int edits = 1 + (int)((seed >> 8) % 4);
    for (int k = 0; k < edits; k++) {
      seed ^= seed << 13;
      seed ^= seed >> 7;
      seed ^= seed << 17;
      size_t at = (size_t)(seed >> 16) % n;
      switch ((seed >> 40) % 4) {
        case 0: m[at] = (unsigned char)(seed >> 48); break;
        case 1: m[at] ^= (unsigned char)(1u << (seed >> 56) % 8); break;
        case 2: m[at] = (seed >> 50) & 1 ? 0xff : 0xdf; break;
        default: n = at + 1; break;
      }
    }
    sio_packet p;
    size_t max = (seed >> 30) & 1 ? MAX_PAYLOAD : 64;
    if (decode1(m, n, max, &p) == 1) {
      rbuf *b = encode1(&p);
      CHECK(b);
      sio_packet q;
      CHECK(decode1(b->data, b->len, MAX_PAYLOAD, &q) == 1);
      /* Not always the same payload: like notepack.io, the encoder wraps
       * integers past 2^64. */
      CHECK(q.type == p.type && q.id == p.id && q.nbins == p.nbins);
      CHECK_STR(q.nsp, p.nsp);
      sio_packet_clear(&q);
      rbuf_unref(b);
    }
    sio_packet_clear(&p);
  }
}

static void test_encode_errors(void) {
  static const blob one[] = {{"ab", 2}};
  static const struct {
    int type;
    const char *data;
    size_t nbins;
  } bad[] = {
      {7, "[\"x\"]", 0},
      {-1, "[\"x\"]", 0},
      {SIO_P_EVENT, "", 0},
      {SIO_P_EVENT, "[\"x\",]", 0},
      {SIO_P_EVENT, "[\"x\"] x", 0},
      {SIO_P_EVENT, "[\"x\",01]", 0},
      {SIO_P_EVENT, "[\"x\",1.]", 0},
      {SIO_P_EVENT, "[\"x\",tru]", 0},
      {SIO_P_EVENT, "{\"a\" 1}", 0},
      {SIO_P_EVENT, "{\"a\":1,}", 0},
      {SIO_P_BINARY_EVENT, "[\"x\",{\"_placeholder\":true,\"num\":1}]", 1},
      {SIO_P_BINARY_EVENT, "[\"x\",{\"_placeholder\":true}]", 1},
      {SIO_P_BINARY_EVENT, "[\"x\",{\"_placeholder\":true,\"num\":0.5}]", 1},
      {SIO_P_BINARY_EVENT, "[\"x\",{\"_placeholder\":true,\"num\":\"0\"}]", 1},
      /* num is a plain integer, as everywhere in the core (util/json.h). */
      {SIO_P_BINARY_EVENT, "[\"x\",{\"_placeholder\":true,\"num\":0.0}]", 1},
      {SIO_P_BINARY_EVENT, "[\"x\",{\"_placeholder\":true,\"num\":-0}]", 1},
      {SIO_P_BINARY_EVENT, "[\"x\",{\"_placeholder\":true,\"num\":0e5}]", 1},
  };
  for (size_t k = 0; k < COUNT(bad); k++) {
    sio_packet p =
        make_packet(bad[k].type, "/", -1, bad[k].data, bad[k].nbins, one);
    rbuf *out[SIO_MAX_ENCODED];
    size_t n = 0;
    CHECK(sio_parser_msgpack.encode(&p, out, &n) == -1);
    CHECK(n == 0);
  }
  /* Without a BINARY_* type a placeholder is an ordinary object. */
  sio_packet p = make_packet(SIO_P_EVENT, NULL, -1,
                             "[\"x\",{\"_placeholder\":true,\"num\":9}]", 0, NULL);
  rbuf *b = encode1(&p);
  CHECK(b);
  sio_packet q;
  CHECK(decode1(b->data, b->len, MAX_PAYLOAD, &q) == 1);
  CHECK_STR(q.nsp, "/");
  CHECK_STR(q.data, "[\"x\",{\"_placeholder\":true,\"num\":9}]");
  sio_packet_clear(&q);
  rbuf_unref(b);
}

/* {type: 2, data: ["x", <count binary values>], nsp: "/"}, each value a
 * bin (ext 0, an ArrayBuffer, when arraybuffer is set). */
static size_t event_with_binaries(unsigned char *out, size_t count, int arraybuffer) {
  static const unsigned char head[] = {0x83, 0xa4, 't', 'y', 'p', 'e', 0x02,
                                       0xa4, 'd',  'a', 't', 'a'};
  size_t n = sizeof head;
  memcpy(out, head, n);
  out[n++] = (unsigned char)(0x90 | (count + 1));
  out[n++] = 0xa1;
  out[n++] = 'x';
  for (size_t k = 0; k < count; k++) {
    if (arraybuffer) {
      memcpy(out + n, "\xc7\x01\x00", 3);
      n += 3;
    } else {
      memcpy(out + n, "\xc4\x01", 2);
      n += 2;
    }
    out[n++] = (unsigned char)k;
  }
  memcpy(out + n, "\xa3nsp\xa1/", 6);
  return n + 6;
}

/* At most SIO_MAX_ATTACHMENTS binary values per packet, as the JSON parser
 * takes (socket.io-msgpack-parser itself has no limit). */
static void test_attachment_limit(void) {
  unsigned char m[128];
  sio_packet p;
  for (int arraybuffer = 0; arraybuffer <= 1; arraybuffer++) {
    size_t n = event_with_binaries(m, SIO_MAX_ATTACHMENTS, arraybuffer);
    CHECK(decode1(m, n, MAX_PAYLOAD, &p) == 1);
    CHECK(p.type == SIO_P_BINARY_EVENT && p.nbins == SIO_MAX_ATTACHMENTS);
    CHECK_MEM(p.bins[9].data, p.bins[9].len, "\x09", 1);
    sio_packet_clear(&p);
    n = event_with_binaries(m, SIO_MAX_ATTACHMENTS + 1, arraybuffer);
    CHECK(decode1(m, n, MAX_PAYLOAD, &p) == -1);
  }
}

/* {type: 2, data: ["x"], nsp: "/", id: <id>} with id written as given. */
static int decode_with_id(const char *id, size_t id_len, sio_packet *p) {
  unsigned char m[64];
  static const char head[] = "\x84\xa4type\x02\xa4" "data\x91\xa1x\xa3nsp\xa1/\xa2id";
  memcpy(m, head, sizeof head - 1);
  memcpy(m + sizeof head - 1, id, id_len);
  return decode1(m, sizeof head - 1 + id_len, MAX_PAYLOAD, p);
}

/* Ack ids up to 2^53 - 1, the rule of the JSON parser too. */
static void test_ack_id_limit(void) {
  sio_packet p;
  CHECK(decode_with_id("\xcf\x00\x1f\xff\xff\xff\xff\xff\xff", 9, &p) == 1);
  CHECK(p.id == SIO_MAX_ACK_ID);
  sio_packet_clear(&p);
  CHECK(decode_with_id("\xcb\x43\x3f\xff\xff\xff\xff\xff\xff", 9, &p) == 1);
  CHECK(p.id == SIO_MAX_ACK_ID);
  sio_packet_clear(&p);
  CHECK(decode_with_id("\xcf\x00\x20\x00\x00\x00\x00\x00\x00", 9, &p) == -1);
  CHECK(decode_with_id("\xcf\x00\x20\x00\x00\x00\x00\x00\x01", 9, &p) == -1);
  CHECK(decode_with_id("\xcb\x43\x40\x00\x00\x00\x00\x00\x00", 9, &p) == -1);
  CHECK(decode_with_id("\xcf\xff\xff\xff\xff\xff\xff\xff\xff", 9, &p) == -1);
  CHECK(decode_with_id("\x00", 1, &p) == 1);
  CHECK(p.id == 0);
  sio_packet_clear(&p);
}

int main(void) {
  test_encode_vectors();
  test_decode_vectors();
  test_encode_decode();
  test_text_and_size();
  test_malformed();
  test_empty_namespace_refused();
  test_depth();
  test_encode_errors();
  test_long_values();
  test_mutations();
  test_attachment_limit();
  test_ack_id_limit();
  CHECK(sio_parser_by_name("msgpack") == &sio_parser_msgpack);
  printf("test_sio_parser_msgpack: ok\n");
  return 0;
}
