// Jest setup file of the e2e-streamed project: the local gateway sends bodies STREAMED (see dev-stack.ts).
process.env.SEMROUTE_E2E_BODY_MODE = 'STREAMED';
