package partsize

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultFollowsTheVendorTable(t *testing.T) {
	cases := []struct {
		total int64
		want  int64
	}{
		{1, 5 * MiB},
		{500*MiB - 1, 5 * MiB},
		{500 * MiB, 10 * MiB},
		{10<<30 - 1, 10 * MiB},
		{10 << 30, 50 * MiB},
		{50<<30 - 1, 50 * MiB},
		{50 << 30, 100 * MiB},
		{900 << 30, 100 * MiB},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, Default(c.total), "total %d", c.total)
	}
}

func TestPlan(t *testing.T) {
	size, n, err := Plan(1, 0)
	require.NoError(t, err)
	assert.Equal(t, int64(5*MiB), size)
	assert.Equal(t, 1, n, "a small input is a single part")

	_, n, err = Plan(5*MiB, 0)
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	_, n, err = Plan(5*MiB+1, 0)
	require.NoError(t, err)
	assert.Equal(t, 2, n)

	size, n, err = Plan(64*MiB, 8*MiB)
	require.NoError(t, err)
	assert.Equal(t, int64(8*MiB), size)
	assert.Equal(t, 8, n)

	// Every default plan stays within the part limit up to MaxTotal.
	for _, total := range []int64{500*MiB - 1, 10<<30 - 1, 50<<30 - 1, MaxTotal} {
		_, n, err := Plan(total, 0)
		require.NoError(t, err, "total %d", total)
		assert.LessOrEqual(t, n, MaxParts)
	}
}

func TestPlanRejects(t *testing.T) {
	_, _, err := Plan(10, Min-1)
	assert.True(t, errors.Is(err, ErrPartSize), "%v", err)
	_, _, err = Plan(10, Max+1)
	assert.True(t, errors.Is(err, ErrPartSize), "%v", err)
	_, _, err = Plan(10, -1)
	assert.True(t, errors.Is(err, ErrPartSize), "%v", err)

	_, _, err = Plan(MaxTotal+1, 0)
	assert.True(t, errors.Is(err, ErrTooManyParts), "%v", err)
	_, _, err = Plan(int64(Min)*MaxParts+1, Min)
	assert.True(t, errors.Is(err, ErrTooManyParts), "%v", err)
	assert.Contains(t, err.Error(), "at least")
}
