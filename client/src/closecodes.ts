// Generated from internal/closecode by `go test ./internal/closecode -update`. Do not edit.

/** The close codes after which the client reconnects on its own (docs/close-codes.md); any other code stops it. */
export const retryCodes: ReadonlySet<number> = new Set([
  1000, // normal closure
  1001, // going away
  1005, // no status
  1006, // abnormal closure
  1011, // internal error
  1012, // service restart
  1013, // try again later
  4008, // slow consumer
]);
