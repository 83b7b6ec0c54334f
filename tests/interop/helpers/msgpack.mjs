// socket.io-msgpack-parser for the suites outside tests/interop, which have
// no node_modules of their own.
export { default as msgpackParser } from "socket.io-msgpack-parser";
