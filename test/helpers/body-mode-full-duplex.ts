// Jest setup file of the e2e-full_duplex_streamed project: the local gateway sends request and
// response bodies FULL_DUPLEX_STREAMED (see dev-stack.ts).
process.env.SEMROUTE_E2E_BODY_MODE = 'FULL_DUPLEX_STREAMED';
