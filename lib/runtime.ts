// Which JavaScript runtime this is, and what its Node-API can do. Told from the runtime's own
// marks, never from the uv_* symbols: Bun exports uv_* stand-ins that abort the process when
// called, so a symbol lookup would say yes and the first call would end the process.
export type RuntimeName = 'node' | 'bun' | 'deno';

export function runtimeName(): RuntimeName {
  if (typeof process.versions.bun === 'string') return 'bun';
  if (typeof process.versions.deno === 'string' || 'Deno' in globalThis) return 'deno';
  return 'node';
}

// Why 'loop' dispatch cannot run here, or undefined where it can. It needs libuv itself: a
// uv_poll that stays armed on the loop of the creating thread.
const LOOP_UNSUPPORTED: Record<RuntimeName, string | undefined> = {
  node: undefined,
  bun: 'Bun has no libuv: its uv_* functions abort the process',
  deno: "Deno's uv_poll fires once and then never again",
};

export function loopUnsupportedReason(): string | undefined {
  return LOOP_UNSUPPORTED[runtimeName()];
}
