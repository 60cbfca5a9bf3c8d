// Package partsize holds the part-sizing rules of chunked uploads, as the
// vendor's own client applies them: 5 MiB parts below 500 MiB in total,
// 10 MiB below 10 GiB, 50 MiB below 50 GiB, 100 MiB above; at most 10,000
// parts; every part between 5 MiB and 100 MiB except the last, which may be
// smaller.
package partsize

import (
	"errors"
	"fmt"
)

// MiB is one mebibyte.
const MiB = 1 << 20

// The bounds of a part and of a session.
const (
	Min      = 5 * MiB   // smallest part except the last
	Max      = 100 * MiB // largest part
	MaxParts = 10000     // most parts in one session
)

// MaxTotal is the largest upload the rules allow: 10,000 parts of 100 MiB.
const MaxTotal = int64(Max) * MaxParts

// ErrPartSize reports an explicit part size outside [Min, Max].
var ErrPartSize = errors.New("part size out of range")

// ErrTooManyParts reports a total that needs more than MaxParts parts.
var ErrTooManyParts = errors.New("too many parts")

// Default returns the vendor's part size for an upload of total bytes.
func Default(total int64) int64 {
	switch {
	case total < 500*MiB:
		return 5 * MiB
	case total < 10<<30:
		return 10 * MiB
	case total < 50<<30:
		return 50 * MiB
	default:
		return 100 * MiB
	}
}

// Count returns how many parts of partSize bytes hold total bytes (at least
// one). partSize must be positive.
func Count(total, partSize int64) int {
	if total <= 0 {
		return 1
	}
	return int((total + partSize - 1) / partSize)
}

// Plan returns the part size and part count for total bytes: explicit when
// it is not zero, else Default(total). The error wraps ErrPartSize when
// explicit is outside [Min, Max], or ErrTooManyParts when total needs more
// than MaxParts parts; its message says what would work.
func Plan(total, explicit int64) (partSize int64, parts int, err error) {
	partSize = explicit
	if explicit == 0 {
		partSize = Default(total)
	} else if explicit < Min || explicit > Max {
		return 0, 0, fmt.Errorf("%w: %d bytes is outside %d (5 MiB) to %d (100 MiB)", ErrPartSize, explicit, Min, Max)
	}
	// Compare in bytes first: a huge total would overflow Count's int on
	// 32-bit platforms.
	if total > partSize*MaxParts {
		if explicit != 0 && total <= MaxTotal {
			need := (total + MaxParts - 1) / MaxParts
			return 0, 0, fmt.Errorf("%w: %d bytes in parts of %d bytes need more than %d parts; use parts of at least %d bytes", ErrTooManyParts, total, partSize, MaxParts, need)
		}
		return 0, 0, fmt.Errorf("%w: %d bytes need more than %d parts even at 100 MiB each (at most %d bytes)", ErrTooManyParts, total, MaxParts, MaxTotal)
	}
	return partSize, Count(total, partSize), nil
}
