// Server-Sent Events: an incremental parser for byte chunks cut anywhere, and the encoder of one event.
//
// Lines are split on raw bytes and decoded only once complete: CR and LF never occur inside a
// multi-byte UTF-8 sequence, so a character cut between chunks is reassembled for free. Memory is
// bounded: one event's buffered bytes (its partial line plus its fields so far) beyond the limit put
// the parser in a failed state that drops all further input.

export interface SseEvent {
  /** The data: lines of the event joined with "\n". */
  data: string;
  /** The event: field, when one was sent. */
  event?: string;
  /** The last id: seen on the stream, when one was sent (it carries over between events). */
  id?: string;
}

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

export class SseParser {
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** A chunk ended in CR: an LF opening the next one belongs to that line break. */
  private skipLF = false;
  private atStreamStart = true;
  private dataLines: string[] = [];
  private eventType: string | undefined;
  private lastId: string | undefined;
  private eventBytes = 0;
  private failure: string | undefined;

  constructor(private readonly maxEventBytes = DEFAULT_MAX_EVENT_BYTES) {}

  /** Why the parser stopped (an oversized event); undefined while healthy. */
  get error(): string | undefined {
    return this.failure;
  }

  /** Feeds a chunk; returns the events it completed (none once failed). */
  push(chunk: Buffer): SseEvent[] {
    const events: SseEvent[] = [];
    if (this.failure) return events;
    let start = 0;
    if (this.skipLF && chunk.length > 0) {
      if (chunk[0] === LF) start = 1;
      this.skipLF = false;
    }
    for (let i = start; i < chunk.length; i++) {
      const b = chunk[i];
      if (b !== LF && b !== CR) continue;
      this.takeLine(chunk.subarray(start, i), events);
      if (this.failure) return events;
      if (b === CR) {
        if (i + 1 === chunk.length) this.skipLF = true;
        else if (chunk[i + 1] === LF) i++;
      }
      start = i + 1;
    }
    if (start < chunk.length) {
      // Copy, so a small remainder does not pin the caller's whole chunk in memory.
      const rest = Buffer.from(chunk.subarray(start));
      this.partial.push(rest);
      this.partialBytes += rest.length;
      this.checkBound();
    }
    return events;
  }

  private takeLine(tail: Buffer, events: SseEvent[]): void {
    let line = this.partial.length === 0 ? tail : Buffer.concat([...this.partial, tail]);
    this.partial = [];
    this.partialBytes = 0;
    if (this.atStreamStart) {
      this.atStreamStart = false;
      if (line.subarray(0, 3).equals(BOM)) line = line.subarray(3);
    }
    if (line.length === 0) {
      this.dispatch(events);
      return;
    }
    if (line[0] === COLON) return; // a comment (keep-alive)
    const colon = line.indexOf(COLON);
    const field = (colon < 0 ? line : line.subarray(0, colon)).toString('utf8');
    let value = colon < 0 ? line.subarray(line.length) : line.subarray(colon + 1);
    if (value[0] === SPACE) value = value.subarray(1);
    this.eventBytes += line.length;
    this.checkBound();
    if (this.failure) return;
    switch (field) {
      case 'data':
        this.dataLines.push(value.toString('utf8'));
        break;
      case 'event':
        this.eventType = value.toString('utf8');
        break;
      case 'id': {
        const id = value.toString('utf8');
        if (!id.includes('\0')) this.lastId = id;
        break;
      }
      default: // retry: and unknown fields are ignored
    }
  }

  private dispatch(events: SseEvent[]): void {
    if (this.dataLines.length > 0) {
      const event: SseEvent = { data: this.dataLines.join('\n') };
      if (this.eventType) event.event = this.eventType;
      if (this.lastId) event.id = this.lastId;
      events.push(event);
    }
    this.dataLines = [];
    this.eventType = undefined;
    this.eventBytes = 0;
  }

  private checkBound(): void {
    if (this.partialBytes + this.eventBytes <= this.maxEventBytes) return;
    this.failure = `an SSE event exceeds ${this.maxEventBytes} bytes`;
    this.partial = [];
    this.partialBytes = 0;
    this.dataLines = [];
    this.eventBytes = 0;
  }
}

/** One event, `data: …\n\n`; a multi-line payload becomes one data: line per line. */
export function encodeSseEvent(data: string): Buffer {
  const lines = data.split(/\r\n|\r|\n/);
  return Buffer.from(`${lines.map((l) => `data: ${l}`).join('\n')}\n\n`, 'utf8');
}
