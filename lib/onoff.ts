// linux-epoll/onoff's entry: onoff's Gpio class on the GPIO character device. See "From onoff" in
// docs/MIGRATING.md.
import './core/disposable';

export {
  Gpio,
  type BinaryValue,
  type Direction,
  type Edge,
  type High,
  type Low,
  type Options,
  type ValueCallback,
} from './onoff/gpio';
