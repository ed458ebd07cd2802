package route

import "unsafe"

// unsafeString views b as a string without copying. The result must not outlive the
// next change to b; lookup uses it only as a map key.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
