/**
 * Every message we send carries this header. Mail coming back with it (an auto-responder that
 * copies headers, a forward to our intake address) is ours and is never processed, so two robots
 * cannot answer each other forever.
 */
export const LOOP_HEADER = 'X-P2P-Digest-Loop';
