/** rttscan as a library. Everything public is exported here by name. */
export { analyze } from './analyze.js';
export type { AnalyzeOptions, AnalysisNote, AnalysisResult, InputSummary } from './analyze.js';
export type { FastestAnswer, VantageNote } from './flow/vantage.js';
// What onSample receives: one object reused for every sample (copy what you keep).
export type { Sample } from './stats/collector.js';
export { KIND_NAMES } from './engines/rtt/rtt-engine.js';
export type { KindName, SampleKind } from './engines/rtt/rtt-engine.js';
export { analyzeLive } from './live.js';
export type { LiveOptions, LiveStart } from './live.js';
export type { CaptureBackend } from './capture/live-capture.js';
export { listInterfaces } from './capture/interfaces.js';
export type { CaptureInterface } from './capture/interfaces.js';
export { RttscanError, CaptureError } from './errors.js';
export type { ErrorCode, CapturePosition } from './errors.js';
export { PacketDecoder } from './decode/decoder.js';
export { PacketView } from './decode/packet-view.js';
export { DecodeCounters } from './decode/decode-counters.js';
export { CapturedPacket } from './capture/captured-packet.js';
export { openInputs, readPackets } from './capture/packet-source.js';
export type { CaptureReader, CaptureFormat } from './capture/reader.js';
export { VERSION } from './version.js';
// TCP-RT: analyze(paths, { tcprt: { ...config, onRecord, onStats } }) and its text.
export type { PortRule, TcprtConfig, TcprtMode } from './engines/tcprt/config.js';
export { parseTcprtConfig } from './engines/tcprt/config-file.js';
export type { PortCounters, PortStatsLine, PortSummary } from './engines/tcprt/port-stats.js';
export { FIELD_NAMES } from './engines/tcprt/records.js';
export type { RecordType, TaskFigures, TaskRecord } from './engines/tcprt/records.js';
export { kernelFields } from './engines/tcprt/records.js';
export type { TcprtNote, TcprtSink, TcprtSummary } from './engines/tcprt/tcprt-engine.js';
export { tcprtRecordJson, tcprtRecordLine, tcprtStatsLines } from './render/tcprt.js';
export { parsePort, parsePortList, parsePortRanges } from './util/ports.js';
// Summaries of separate runs (their --json documents) read back, merged and checked.
export { parseSummaryDocuments } from './merge/summary-document.js';
export type { SummaryDocument } from './merge/summary-document.js';
export { mergeSummaries } from './merge/merge-summaries.js';
export type { MergedSummary } from './merge/merge-summaries.js';
export { parseFailIf } from './ci/fail-if.js';
export type { FailCondition } from './ci/fail-if.js';
export { checkConditions } from './ci/check.js';
export type { CheckedStats, CheckOutcome } from './ci/check.js';
