package adaptive

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// MetricValue is the value of a feedback metric: a bool for a Bool metric or
// a number for a Scalar metric. Build one with MetricBool or MetricNumber;
// the zero MetricValue is unset and is rejected by the calls that send it.
//
// On the wire it is true/false or a JSON number. Decoding also accepts the
// numbers 0 and 1 that the server takes for Bool metrics; they decode as
// numbers, since the JSON alone cannot tell the metric's kind.
type MetricValue struct {
	kind metricKind
	b    bool
	f    float64
}

type metricKind uint8

const (
	metricUnset metricKind = iota
	metricBool
	metricNumber
)

// MetricBool returns the value v of a Bool metric.
func MetricBool(v bool) MetricValue { return MetricValue{kind: metricBool, b: v} }

// MetricNumber returns the value f of a Scalar metric. f must be finite:
// NaN and infinities are rejected before anything is sent.
func MetricNumber(f float64) MetricValue { return MetricValue{kind: metricNumber, f: f} }

// IsZero reports whether v is unset (neither MetricBool nor MetricNumber).
func (v MetricValue) IsZero() bool { return v.kind == metricUnset }

// Bool returns the value of a bool metric value; ok is false when v is not
// a bool.
func (v MetricValue) Bool() (value, ok bool) { return v.b, v.kind == metricBool }

// Number returns the value of a number metric value; ok is false when v is
// not a number.
func (v MetricValue) Number() (value float64, ok bool) { return v.f, v.kind == metricNumber }

// String returns "true", "false", the number in its shortest form, or
// "<unset>".
func (v MetricValue) String() string {
	switch v.kind {
	case metricBool:
		return strconv.FormatBool(v.b)
	case metricNumber:
		return strconv.FormatFloat(v.f, 'g', -1, 64)
	}
	return "<unset>"
}

// validate returns a *ValidationError naming field when v is unset or a
// non-finite number, which JSON cannot carry.
func (v MetricValue) validate(field string) error {
	switch v.kind {
	case metricUnset:
		return invalid(field, "no value: set it with adaptive.MetricBool or adaptive.MetricNumber")
	case metricNumber:
		if math.IsNaN(v.f) || math.IsInf(v.f, 0) {
			return invalid(field, "%v is not a finite number", v.f)
		}
	}
	return nil
}

var errMetricUnset = errors.New("adaptive: MetricValue is unset: build it with adaptive.MetricBool or adaptive.MetricNumber")

// MarshalJSON encodes v as true/false or a number. An unset value or a
// non-finite number is an error rather than a null or a made-up value.
func (v MetricValue) MarshalJSON() ([]byte, error) {
	switch v.kind {
	case metricBool:
		return strconv.AppendBool(nil, v.b), nil
	case metricNumber:
		if math.IsNaN(v.f) || math.IsInf(v.f, 0) {
			return nil, fmt.Errorf("adaptive: MetricValue %v is not a finite number", v.f)
		}
		return json.Marshal(v.f)
	}
	return nil, errMetricUnset
}

// UnmarshalJSON decodes true, false or a number (0 and 1 included). null
// leaves v unset; any other JSON is an error.
func (v *MetricValue) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*v = MetricValue{}
		return nil
	case string(b) == "true":
		*v = MetricBool(true)
		return nil
	case string(b) == "false":
		*v = MetricBool(false)
		return nil
	}
	var f float64
	if len(b) == 0 || !(b[0] == '-' || (b[0] >= '0' && b[0] <= '9')) {
		return fmt.Errorf("adaptive: a metric value must be true, false or a number, not %s", preview(b))
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("adaptive: decoding a metric value: %w", err)
	}
	*v = MetricNumber(f)
	return nil
}
