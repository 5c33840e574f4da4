// linux-epoll/gpio's entry: the GPIO character device (uAPI v2, Linux 5.10 and later), with no
// libgpiod. See "GPIO" in the README.
import './core/disposable';

export { GpioChip, type ChipInfo, type LineRequestOptions, type InfoChange } from './gpio/chip';
export { listChips, openChip, findLine, type ChipSummary, type LineLocation } from './gpio/chips';
export type { LineConfig, LineValue, RequestDirection } from './gpio/line-config';
export type { LineEvent } from './gpio/line-events';
export type { LineInfo, Direction, Bias, Drive, Edge, EventClock } from './gpio/line-info';
export { LineRequest } from './gpio/line-request';
