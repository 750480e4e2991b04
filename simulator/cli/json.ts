/** Uppercase hex as The Things Stack writes bytes, and fixed-width hex for numeric identifiers. */
export { hex, hexUint } from '../lorawan/describe.js';
