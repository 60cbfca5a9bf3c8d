package benchmarks

import (
	"syscall"
	"time"
)

// CPUTime returns the CPU time (user plus system) the whole process has
// used so far. Benchmarks report it per operation next to wall time: on a
// machine busy with other work, wall time includes waiting for a core, CPU
// time does not. It includes the loopback server's goroutines, which do
// the same work for every side of a comparison.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// CPUUnit is the unit of the CPU time metric in benchmark output.
const CPUUnit = "cpu-ns/op"
