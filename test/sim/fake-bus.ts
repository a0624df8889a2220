/** The in-process bus, shared with the calibration year (tools/calibration). */
export { FakeBus, topicMatches } from '../../tools/calibration/in-process-bus';
