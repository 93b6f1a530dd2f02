/**
 * Peer mode, the local end is the client:
 *   request bytes in NONE        start a task; in RESPONSE: P for the task, then start the next
 *   first response byte          sent = request bytes, end = now; stage RESPONSE
 *   more response bytes          end = now
 *   close                        RESPONSE: P
 * P's total time runs from the first request byte sent to the last response byte received.
 */
import type { RecordType, TaskFigures, TaskRecord } from './records.js';
import { REQUEST, RESPONSE, TaskMachine, us, type TaskEmitter } from './task-machine.js';

export class PeerTaskMachine extends TaskMachine {
  readonly finAnswers = false;
  /** When the request's last byte went out, and the response's first byte arrived. */
  private lastSentNs = 0;
  private firstRespNs = 0;
  /** rcv_nxt where the response began. */
  private responseStart = 0;
  private requestBytes = 0;

  sent(nowNs: number, fromSeq: number, emit: TaskEmitter): void {
    if (this.stage !== REQUEST) {
      if (this.stage === RESPONSE) this.emitTask('P', nowNs, emit);
      this.startTask(nowNs, fromSeq);
    }
    this.lastSentNs = nowNs;
  }

  received(nowNs: number, fromSeq: number, filledHole: boolean): void {
    if (this.stage === REQUEST) {
      this.stage = RESPONSE;
      this.requestBytes = this.snd.payloadBetween(this.startSeq, this.snd.nxt);
      this.firstRespNs = nowNs;
      this.responseStart = fromSeq;
    }
    if (this.stage === RESPONSE) {
      this.endNs = nowNs;
      if (filledHole) this.reorder = 1;
    }
  }

  outOfOrder(): void {
    if (this.stage === RESPONSE) this.reorder = 1;
  }

  protected closeTask(nowNs: number, emit: TaskEmitter): void {
    if (this.stage === RESPONSE) this.emitTask('P', nowNs, emit);
  }

  protected taskFigures(_type: RecordType, _nowNs: number, f: TaskFigures): void {
    f.sentBytes = this.requestBytes;
    f.totalUs = us(this.endNs - this.startNs);
    f.serverUs = us(this.firstRespNs - this.lastSentNs);
    f.downloadUs = us(this.endNs - this.firstRespNs);
    f.recvBytes = this.rcv.payloadBetween(this.responseStart, this.rcv.nxt);
  }

  /** P: the client's time to first byte. */
  protected override decorate(record: TaskRecord): void {
    if (record.type === 'P') record.firstByteUs = us(this.firstRespNs - this.startNs);
  }
}
