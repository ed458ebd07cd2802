package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// clockTick is the unit of utime and stime in /proc/<pid>/stat: USER_HZ, which Linux fixes
// at 100 on every architecture Go supports.
const clockTick = 10 * time.Millisecond

// procCPU returns the CPU time (user plus system) that process pid has used so far, from
// /proc/<pid>/stat.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(b)
}

// parseStatCPU reads utime and stime (fields 14 and 15) from the contents of a
// /proc/<pid>/stat file. The command name (field 2) may hold spaces and parentheses, so
// the fields are counted from the last ')'.
func parseStatCPU(b []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("proc: stat: no command name")
	}
	fields := bytes.Fields(b[i+1:])
	// fields[0] is field 3 (state), so field n is fields[n-3].
	if len(fields) < 13 {
		return 0, errors.New("proc: stat: too few fields")
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(string(f), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("proc: stat: %v", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * clockTick, nil
}

// procMem is the memory of a process as /proc/<pid>/status reports it, in bytes.
type procMem struct {
	RSS int64 // VmRSS: resident now
	HWM int64 // VmHWM: the peak resident size
}

// procMemory reads VmRSS and VmHWM of process pid.
func procMemory(pid int) (procMem, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return procMem{}, err
	}
	return parseStatus(b)
}

// parseStatus reads VmRSS and VmHWM from the contents of a /proc/<pid>/status file.
func parseStatus(b []byte) (procMem, error) {
	var m procMem
	found := 0
	for _, line := range bytes.Split(b, []byte("\n")) {
		var dst *int64
		switch {
		case bytes.HasPrefix(line, []byte("VmRSS:")):
			dst = &m.RSS
		case bytes.HasPrefix(line, []byte("VmHWM:")):
			dst = &m.HWM
		default:
			continue
		}
		f := bytes.Fields(line)
		if len(f) != 3 || string(f[2]) != "kB" {
			return procMem{}, fmt.Errorf("proc: status: malformed line %q", line)
		}
		kb, err := strconv.ParseInt(string(f[1]), 10, 64)
		if err != nil {
			return procMem{}, fmt.Errorf("proc: status: %v", err)
		}
		*dst = kb << 10
		found++
	}
	if found != 2 {
		return procMem{}, errors.New("proc: status: no VmRSS or VmHWM")
	}
	return m, nil
}
