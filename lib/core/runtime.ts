// Which JavaScript runtime this is, and what its Node-API can do. Told from the runtime's own
// marks, never from the uv_* symbols: Bun exports uv_* stand-ins that abort the process when
// called, so a symbol lookup would say yes and the first call would end the process.
export type RuntimeName = 'node' | 'bun' | 'deno';

export function runtimeName(): RuntimeName {
  if (typeof process.versions.bun === 'string') return 'bun';
  if (typeof process.versions.deno === 'string' || 'Deno' in globalThis) return 'deno';
  return 'node';
}

interface Capabilities {
  /** Why 'loop' dispatch cannot run here: it needs libuv's uv_poll, armed for as long as it runs. */
  loopUnsupported?: string;
  /**
   * Whether handlers get the async context of the instance's creation (napi_async_init). Neither
   * Bun's nor Deno's AsyncLocalStorage sees it, and Deno's napi_async_destroy needs a HandleScope
   * that a worker's teardown does not have, so there it is not made at all.
   */
  asyncContext: boolean;
}

const CAPABILITIES: Record<RuntimeName, Capabilities> = {
  node: { asyncContext: true },
  bun: { loopUnsupported: 'Bun has no libuv: its uv_* functions abort the process', asyncContext: false },
  deno: { loopUnsupported: "Deno's uv_poll fires once and then never again", asyncContext: false },
};

export const capabilities: Capabilities = CAPABILITIES[runtimeName()];
