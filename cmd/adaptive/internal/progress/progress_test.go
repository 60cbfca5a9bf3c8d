package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// clock is a fake time source that tests move forward.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func TestTerminalDrawsABarInPlace(t *testing.T) {
	var buf bytes.Buffer
	c := newClock()
	m := start(&buf, Auto, true, Options{Label: "uploading data.jsonl", Total: 30 << 20, Bytes: true}, c.now)
	for i := int64(1); i <= 6; i++ {
		c.advance(200 * time.Millisecond)
		m.Set(i * 5 << 20)
	}
	m.Done()
	out := buf.String()
	assert.Contains(t, out, "uploading data.jsonl")
	assert.Equal(t, 7, strings.Count(out, "\r"), "a blank bar and six draws, each back at the start of the line: %q", out)
	assert.Equal(t, 7, strings.Count(out, "\x1b[0K"), "each erasing what a longer line left: %q", out)
	assert.Contains(t, out, "MiB")
	assert.Contains(t, out, "100%")
	assert.True(t, strings.HasSuffix(out, "\n"), "the full bar is left on its own line: %q", out)
	assert.Equal(t, 1, strings.Count(out, "\n"), "a bar is redrawn on one line: %q", out)
}

func TestTerminalBarIsThrottled(t *testing.T) {
	var buf bytes.Buffer
	c := newClock()
	m := start(&buf, Auto, true, Options{Label: "x", Total: 1000, Bytes: true}, c.now)
	blank := buf.Len()
	for i := int64(1); i <= 50; i++ {
		c.advance(time.Millisecond)
		m.Set(i)
	}
	assert.Equal(t, blank, buf.Len(), "50 updates within 50 ms draw nothing")
	c.advance(drawInterval)
	m.Set(60)
	assert.Greater(t, buf.Len(), blank)
	m.Abort()
}

func TestPrintfGoesAboveTheBar(t *testing.T) {
	var buf bytes.Buffer
	c := newClock()
	m := start(&buf, Always, false, Options{Label: "importing", Total: 10, Unit: "lines"}, c.now)
	c.advance(time.Second)
	m.Set(3)
	m.Printf("line %d: bad JSON", 4)
	out := buf.String()
	i := strings.LastIndex(out, "line 4: bad JSON\n")
	require.GreaterOrEqual(t, i, 0, "%q", out)
	assert.True(t, strings.HasSuffix(out[:i], "\x1b[2K\r"), "the bar is cleared before the message: %q", out)
	assert.Contains(t, out[i:], "importing", "and drawn again after it")
	m.Abort()
	assert.True(t, strings.HasSuffix(buf.String(), "\n"), "an aborted bar ends its line")
	m.Set(9)
	m.Printf("after")
	assert.True(t, strings.HasSuffix(buf.String(), "\nafter\n"), "after Abort only messages: %q", buf.String())
}

func TestPlainLinesAreOccasionalAndHaveNoEscapes(t *testing.T) {
	var buf bytes.Buffer
	c := newClock()
	m := start(&buf, Auto, false, Options{Label: "uploading d", Total: 100 << 20, Bytes: true}, c.now)
	for i := int64(1); i <= 20; i++ {
		c.advance(time.Second)
		m.Set(i << 20)
	}
	m.Printf("a message")
	m.Done()
	assert.Equal(t, "uploading d: 10.0 MiB of 100.0 MiB (10%), 1.0 MiB/s, about 1m30s left\n"+
		"uploading d: 20.0 MiB of 100.0 MiB (20%), 1.0 MiB/s, about 1m20s left\n"+
		"a message\n", buf.String())
	assert.NotContains(t, buf.String(), "\r")
}

func TestPlainLinesOfUnknownTotalsAndUnits(t *testing.T) {
	var buf bytes.Buffer
	c := newClock()
	m := start(&buf, Auto, false, Options{Label: "importing", Total: -1, Unit: "lines"}, c.now)
	c.advance(PlainInterval)
	m.Set(250)
	m.Done()
	assert.Equal(t, "importing: 250 lines, 25.0/s\n", buf.String())
}

func TestNeverShowsNothingButMessages(t *testing.T) {
	var buf bytes.Buffer
	c := newClock()
	m := start(&buf, Never, true, Options{Label: "x", Total: 10}, c.now)
	c.advance(time.Minute)
	m.Set(5)
	m.Printf("kept")
	m.Done()
	assert.Equal(t, "kept\n", buf.String())
}

func TestUnknownTotalOnATerminalStartsNoGoroutine(t *testing.T) {
	var buf bytes.Buffer
	c := newClock()
	m := start(&buf, Auto, true, Options{Label: "reading stdin", Total: -1, Bytes: true}, c.now)
	c.advance(time.Second)
	m.Set(1 << 20)
	m.SetTotal(2 << 20)
	m.Describe("uploading")
	c.advance(time.Second)
	m.Set(2 << 20)
	m.Done()
	assert.Contains(t, buf.String(), "uploading")
	// goleak (TestMain) fails the package if a spinner goroutine is left.
}

func TestParseMode(t *testing.T) {
	for _, s := range []string{"auto", "always", "never"} {
		m, err := ParseMode(s)
		require.NoError(t, err)
		assert.Equal(t, Mode(s), m)
	}
	_, err := ParseMode("sometimes")
	assert.EqualError(t, err, `--progress "sometimes": use auto, always or never`)
}

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 30 << 20: "30.0 MiB", 5<<30 + 512<<20: "5.5 GiB"} {
		assert.Equal(t, want, Bytes(n), n)
	}
}
