// Plays one fuzz sequence against a real ext_proc server and checks the answers.
// Oracle: every message with a kind, sent before an immediate response, gets exactly one answer, of
// its own kind or an immediate response, within the answer timeout; nothing else is answered; a
// stream the client closes gracefully ends with OK. (Leaks and crashes are checked by the runner.)
import * as grpc from '@grpc/grpc-js';
import http2 from 'node:http2';
import type { ProcessingRequest, ProcessingResponse } from '../../src/extproc/wire.js';
import { grpcFrame, type RawExtProcConnection } from '../helpers/raw-extproc.js';
import type { Sequence } from './sequences.js';

export type ProcessClient = grpc.Client & { Process(): grpc.ClientDuplexStream<ProcessingRequest, ProcessingResponse> };

export interface Violation {
  sequence: number;
  /** refused: the stream was refused (REFUSED_STREAM) before semroute answered anything. */
  kind: 'wrong_answer' | 'hang' | 'closed_early' | 'bad_status' | 'extra_answer' | 'refused';
  detail: string;
}

const ANSWER_KINDS = new Set(['request_headers', 'request_body', 'request_trailers', 'response_headers', 'response_body', 'response_trailers']);

/** The answer's kind (proto-loader's oneof discriminator). */
function answerKind(res: ProcessingResponse): string | undefined {
  return res.response ?? undefined;
}

/** Answers as they arrive, and the stream's end. */
class AnswerQueue {
  private readonly answers: ProcessingResponse[] = [];
  private waiter: ((r: ProcessingResponse | 'closed' | 'timeout') => void) | undefined;
  status: grpc.StatusObject | undefined;
  readonly ended: Promise<grpc.StatusObject>;
  received = 0;

  constructor(call: grpc.ClientDuplexStream<ProcessingRequest, ProcessingResponse>) {
    call.on('data', (res: ProcessingResponse) => {
      this.received++;
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w(res);
      } else this.answers.push(res);
    });
    call.on('error', () => undefined);
    this.ended = new Promise((resolve) =>
      call.on('status', (s: grpc.StatusObject) => {
        this.status = s;
        // Let answers that arrived before the status be taken first.
        setImmediate(() => {
          this.waiter?.('closed');
          this.waiter = undefined;
        });
        resolve(s);
      }),
    );
  }

  next(timeoutMs: number): Promise<ProcessingResponse | 'closed' | 'timeout'> {
    const queued = this.answers.shift();
    if (queued) return Promise.resolve(queued);
    if (this.status) return Promise.resolve('closed');
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve('timeout');
      }, timeoutMs);
      this.waiter = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
    });
  }
}

export async function playSequence(
  seq: Sequence,
  client: ProcessClient,
  raw: RawExtProcConnection,
  answerTimeoutMs: number,
): Promise<Violation[]> {
  const violations: Violation[] = [];
  const fail = (kind: Violation['kind'], detail: string) => violations.push({ sequence: seq.id, kind, detail });

  // A cancel racing the first write goes out below grpc-js, as Envoy sends it (HEADERS, DATA,
  // RST_STREAM in one write): grpc-js's own client, cancelling a call whose stream has not started,
  // sends the stream and never resets it, and then never reads that stream's answers, which ends up
  // stalling its whole connection (the server side of that case is in
  // test/integration/extproc/same-tick-cancel.test.ts).
  if (seq.ending.kind === 'raw_reset' || (seq.ending.kind === 'cancel' && seq.ending.sameTick && seq.ending.afterMessages === 0)) {
    const stream = raw.open();
    const closed = new Promise((resolve) => stream.on('close', resolve));
    stream.write(grpcFrame(seq.messages[0] ?? {}), () => stream.close(http2.constants.NGHTTP2_CANCEL));
    await closed;
    return violations;
  }

  const call = client.Process();
  const answers = new AnswerQueue(call);
  const cancelAt = seq.ending.kind === 'cancel' ? seq.ending.afterMessages : -1;
  let consumed = 0;
  let immediate = false;

  /** Waits for the answer to a message of `kind`; false when the sequence cannot go on. */
  const expectAnswer = async (kind: string): Promise<boolean> => {
    const res = await answers.next(answerTimeoutMs);
    if (res === 'timeout') return fail('hang', `no answer to ${kind} within ${answerTimeoutMs} ms`), false;
    if (res === 'closed' && consumed === 0 && answers.status?.code === grpc.status.UNAVAILABLE && /refused/i.test(answers.status.details)) {
      return fail('refused', `stream refused before the answer to ${kind}`), false;
    }
    if (res === 'closed') return fail('closed_early', `stream ended (${answers.status?.code}: ${answers.status?.details}) before the answer to ${kind}`), false;
    consumed++;
    const got = answerKind(res);
    if (got === 'immediate_response') immediate = true;
    else if (got !== kind) return fail('wrong_answer', `${kind} answered with ${got ?? 'an empty message'}`), false;
    if (got && got !== 'immediate_response' && !ANSWER_KINDS.has(got)) return fail('wrong_answer', `unknown answer kind ${got}`), false;
    return true;
  };

  const sameTick = seq.ending.kind === 'cancel' && seq.ending.sameTick;
  const pending: string[] = [];
  for (let i = 0; i < seq.messages.length; i++) {
    if (i === cancelAt && !sameTick) {
      // Cancel between messages (after the previous answer).
      call.cancel();
      await answers.ended;
      return violations;
    }
    const msg = seq.messages[i]!;
    call.write(msg);
    if (i === cancelAt) {
      call.cancel(); // in the same tick as this write
      await answers.ended;
      return violations;
    }
    const kind = msg.request;
    if (!kind || immediate) continue;
    if (seq.pipelined) pending.push(kind);
    else if (!(await expectAnswer(kind))) break;
  }
  for (const kind of pending) {
    if (immediate) break;
    if (!(await expectAnswer(kind))) break;
  }
  if (violations.length > 0 || cancelAt >= seq.messages.length) {
    call.cancel();
    await answers.ended;
    return violations;
  }

  if (seq.ending.kind === 'half_close_reset') {
    // Envoy's default ExternalProcessorStreamImpl::close(): closeStream() then resetStream().
    call.end();
    call.cancel();
    await answers.ended;
  } else {
    call.end();
    const status = await Promise.race([answers.ended, new Promise<undefined>((r) => setTimeout(() => r(undefined), answerTimeoutMs).unref())]);
    if (!status) {
      fail('hang', `no stream end within ${answerTimeoutMs} ms of the half-close`);
      call.cancel();
    } else if (status.code !== grpc.status.OK) fail('bad_status', `graceful close ended with ${status.code}: ${status.details}`);
    // Nothing may be answered but the messages that needed an answer.
    if (answers.received !== consumed) fail('extra_answer', `${answers.received} answers, ${consumed} expected`);
  }
  return violations;
}
