// socket.io-msgpack-parser for the suites outside tests/interop, which have
// no node_modules of their own.
import msgpackParser from "socket.io-msgpack-parser";

export { msgpackParser };

// One Socket.IO packet as the bytes of its binary Engine.IO message.
export const encodePacket = (packet) => Buffer.from(new msgpackParser.Encoder().encode(packet)[0]);

// The packet in one binary message; rejects when the parser throws.
export const decodePacket = (bytes) =>
  new Promise((resolve, reject) => {
    const decoder = new msgpackParser.Decoder();
    decoder.on("decoded", resolve);
    try {
      decoder.add(bytes);
    } catch (err) {
      reject(err);
    }
  });
