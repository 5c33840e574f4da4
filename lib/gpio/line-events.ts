// struct gpio_v2_line_event records, many from one read, and the sequence numbers that tell when
// the kernel dropped some: its per-request buffer keeps the newest events and discards the oldest
// once full, and numbers each event before it is buffered, so a gap in seqno is a count of losses.
// In a request of several lines the number is taken in the hard interrupt, so edges merged before
// the interrupt thread ran leave a gap too; a one-line request numbers in the thread, so there a
// merge leaves none (the kernel cannot tell).
import { layout, uapi, type RecordReader } from './records';

export interface LineEvent {
  /** The line's offset on its chip. */
  offset: number;
  /** Logical: with activeLow, the physical falling edge is 'rising'. */
  edge: 'rising' | 'falling';
  /** Nanoseconds on the request's eventClock (CLOCK_MONOTONIC unless 'realtime' was asked). */
  timestampNs: bigint;
  /** The event's number among all events of the request, from 1. */
  seqno: number;
  /** The event's number among the events of its line, from 1. */
  lineSeqno: number;
  /**
   * Events lost just before this one: the kernel's buffer was full, or (in a request of several
   * lines) edges came faster than its interrupt thread and were merged into this one. Usually 0.
   */
  dropped: number;
}

export class EventSequence {
  #lastSeqno = 0;
  #dropped = 0;

  /** All events dropped so far. */
  get dropped(): number {
    return this.#dropped;
  }

  /** The count records at the start of record, in order. */
  parse(record: RecordReader, count: number): LineEvent[] {
    const events: LineEvent[] = [];
    for (let i = 0, at = 0; i < count; i++, at += layout.eventSize) {
      const seqno = record.u32(at + layout.eventSeqno);
      // seqno is 32 bits and wraps; the kernel never repeats one within a request.
      const dropped = (seqno - this.#lastSeqno - 1) >>> 0;
      this.#lastSeqno = seqno;
      this.#dropped += dropped;
      events.push({
        offset: record.u32(at + layout.eventOffset),
        edge: record.u32(at + layout.eventId) === uapi.EVENT_RISING_EDGE ? 'rising' : 'falling',
        timestampNs: record.u64(at + layout.eventTimestamp),
        seqno,
        lineSeqno: record.u32(at + layout.eventLineSeqno),
        dropped,
      });
    }
    return events;
  }
}
