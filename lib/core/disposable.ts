// The types of Symbol.dispose and Symbol.asyncDispose, for TypeScript users whose lib has no ESNext.Disposable and who have
// no @types/node (which declares it the same way): EpollInstance, EventFd and TimerFd name it.
// Node itself has the symbol from 18.18 and 20.4 on.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
    readonly asyncDispose: unique symbol;
  }
}

export {};
