// The buffers that users pass, read the way native code may rely on. A view's byteLength,
// byteOffset and length are properties that user code can redefine on the object, in a subclass
// or with a Proxy-backed array around it; only the engine's internal record of the view is true.
// The intrinsic getters captured here at load read that record, run no user code, and cannot be
// replaced later. Native code checks every range again against what Node-API reports, so these
// checks are for the error messages and for meaning; memory safety does not rest on them.
import { detachedViewError, invalidArgType } from './errors';
import { copyArray, validateInteger } from './validate';

type Getter = (self: unknown) => unknown;

// getter.call(self), with the call itself bound now so that no later change to Function.prototype reaches it.
function intrinsicGetter(prototype: object, key: PropertyKey): Getter {
  const get = Object.getOwnPropertyDescriptor(prototype, key)!.get!;
  return Function.prototype.call.bind(get) as Getter;
}

const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
// undefined for anything that is not a TypedArray, whatever its prototype says.
const typedArrayName = intrinsicGetter(TypedArrayPrototype, Symbol.toStringTag);
const typedArrayByteLength = intrinsicGetter(TypedArrayPrototype, 'byteLength');
const typedArrayBuffer = intrinsicGetter(TypedArrayPrototype, 'buffer');
const dataViewByteLength = intrinsicGetter(DataView.prototype, 'byteLength');
const dataViewBuffer = intrinsicGetter(DataView.prototype, 'buffer');
const typedArrayByteOffset = intrinsicGetter(TypedArrayPrototype, 'byteOffset');
const dataViewByteOffset = intrinsicGetter(DataView.prototype, 'byteOffset');
const { isView } = ArrayBuffer;
const ByteView = Uint8Array;

const DETACHED = -1;

// A view over a detached buffer cannot even be made, which tells it from one that is merely empty.
function detached(buffer: unknown): boolean {
  try {
    new ByteView(buffer as ArrayBuffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

// The view's size in bytes, or DETACHED. A view that a resizable buffer shrank away from is empty.
function sizeOf(view: ArrayBufferView): number {
  if (typedArrayName(view) !== undefined) {
    const size = typedArrayByteLength(view) as number;
    return size === 0 && detached(typedArrayBuffer(view)) ? DETACHED : size;
  }
  try {
    return dataViewByteLength(view) as number;
  } catch {
    // DataView's getter throws for a detached buffer and for one shrunk below the view.
    return detached(dataViewBuffer(view)) ? DETACHED : 0;
  }
}

function viewError(value: unknown, name: string): TypeError {
  if (!isView(value)) return invalidArgType(name, 'an instance of Buffer, TypedArray, or DataView', value);
  return detachedViewError(name);
}

/** The byte length of value, which must be a Buffer, TypedArray or DataView over memory it still has. */
export function viewByteLength(value: unknown, name: string): number {
  const size = isView(value) ? sizeOf(value) : DETACHED;
  if (size === DETACHED) throw viewError(value, name);
  return size;
}

/**
 * A plain Uint8Array over the bytes of a view that viewByteLength accepted, built from the engine's
 * own record of it: copying from it runs no user code (a subclass's subarray or species would).
 */
export function bytesOf(view: ArrayBufferView): Uint8Array {
  if (typedArrayName(view) !== undefined) {
    return new ByteView(
      typedArrayBuffer(view) as ArrayBuffer,
      typedArrayByteOffset(view) as number,
      typedArrayByteLength(view) as number,
    );
  }
  return new ByteView(
    dataViewBuffer(view) as ArrayBuffer,
    dataViewByteOffset(view) as number,
    dataViewByteLength(view) as number,
  );
}

/** The range's start: offset, or 0 when it is undefined. */
export function validateOffset(size: number, offset: unknown): number {
  return offset === undefined ? 0 : validateInteger(offset, 'offset', 0, size);
}

// Linux moves at most this much (MAX_RW_COUNT) in one read or write; a longer range is a partial transfer.
const MAX_TRANSFER = 0x7ffff000;

/** The range's length (everything from start on when undefined), capped at one syscall's limit. */
export function validateLength(size: number, start: number, length: unknown): number {
  const count = length === undefined ? size - start : validateInteger(length, 'length', 0, size - start);
  return Math.min(count, MAX_TRANSFER);
}

/**
 * The user's array of buffers, copied into an array of lib/'s own (see copyArray) and checked only
 * after the last is read, so that no getter can detach or shrink a buffer already checked. Native
 * code reads only the copy.
 */
export function copyViews(buffers: unknown, max: number): ArrayBufferView[] {
  const views = copyArray(buffers, 'buffers', max);
  // The element's name is built only for the error: this runs on every flush.
  for (let i = 0; i < views.length; i++) {
    const view = views[i];
    if (!isView(view) || sizeOf(view) === DETACHED) throw viewError(view, `buffers[${i}]`);
  }
  return views as ArrayBufferView[];
}
