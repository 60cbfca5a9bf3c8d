package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// A Check compares the SDK's median with another benchmark's median (or
// with a fixed limit) and says whether the target is met.
type Check struct {
	Group  string // heading, e.g. "Stream decoding"
	Metric string // unit in the benchmark output, e.g. "ns/chunk"
	SDK    string // benchmark name of the SDK side
	Other  string // benchmark name compared against; "" for a fixed limit
	// Kind says how the value is formed:
	//   "ratio": SDK / Other (lower is better), must be <= Limit;
	//   "speedup": Other / SDK (higher is better), must be >= Limit;
	//   "diff": SDK - Other, must be <= Limit;
	//   "max": the SDK's value itself, must be <= Limit;
	//   "reported": a ratio the benchmark reported itself (Metric such as
	//   "sdk/raw" of an interleaved benchmark), must be <= Limit;
	//   "reported-info": such a ratio shown with no target (diagnostics);
	//   "reported-speedup": the inverse of such a ratio of times (a
	//   throughput ratio, higher is better), must be >= Limit;
	//   "reported-min": a ratio the benchmark reported itself where higher
	//   is better (a throughput ratio), must be >= Limit;
	//   "info": SDK / Other, shown with no target (CPU time, for reading
	//   wall-time ratios measured on a busy machine);
	//   "value": the SDK's value itself, shown with no target.
	Kind  string
	Limit float64
	Note  string
	// AllVersions says that the target holds on every Go version of the
	// run; otherwise it holds on the first (the module's own Go version)
	// and later versions show the value as a diagnostic.
	AllVersions bool
}

// Row is one evaluated Check.
type Row struct {
	Check
	SDKValue, OtherValue, Value float64
	Missing                     bool
	OK                          bool
}

// Column is the evaluation of every check on the results of one Go
// version; Target says whether its targets count (false: diagnostics).
type Column struct {
	Go     string
	Rows   []Row
	Target func(Check) bool
}

// Evaluate computes every check against the results; a check whose
// benchmarks did not run is marked missing (and not OK).
func Evaluate(r Results, checks []Check) []Row {
	rows := make([]Row, 0, len(checks))
	for _, c := range checks {
		row := Row{Check: c}
		s, ok1 := r.Median(c.SDK, c.Metric)
		o, ok2 := 0.0, true
		if c.Other != "" {
			o, ok2 = r.Median(c.Other, c.Metric)
		}
		row.SDKValue, row.OtherValue = s, o
		switch {
		case !ok1 || !ok2:
			row.Missing = true
		case c.Kind == "ratio" && o > 0:
			row.Value = s / o
			row.OK = row.Value <= c.Limit
		case c.Kind == "speedup" && s > 0:
			row.Value = o / s
			row.OK = row.Value >= c.Limit
		case c.Kind == "reported-speedup" && s > 0:
			row.Value = 1 / s
			row.OK = row.Value >= c.Limit
		case c.Kind == "reported-min":
			row.Value = s
			row.OK = s >= c.Limit
		case c.Kind == "diff":
			row.Value = s - o
			row.OK = row.Value <= c.Limit
		case c.Kind == "info" && o > 0:
			row.Value = s / o
			row.OK = true
		case c.Kind == "reported-info" || c.Kind == "value":
			row.Value = s
			row.OK = true
		case c.Kind == "max" || c.Kind == "reported":
			row.Value = s
			row.OK = s <= c.Limit
		default:
			row.Missing = true
		}
		rows = append(rows, row)
	}
	return rows
}

// hasTarget reports whether the check has a target, not only a value.
func (c Check) hasTarget() bool {
	return c.Kind != "info" && c.Kind != "reported-info" && c.Kind != "value"
}

func (c Check) target() string {
	switch c.Kind {
	case "ratio", "reported":
		return fmt.Sprintf("≤ %.2fx", c.Limit)
	case "speedup", "reported-speedup", "reported-min":
		return fmt.Sprintf("≥ %.2fx", c.Limit)
	case "diff":
		return fmt.Sprintf("≤ +%g", c.Limit)
	case "info", "reported-info", "value":
		return "(no target)"
	default:
		return fmt.Sprintf("≤ %g", c.Limit)
	}
}

func (row Row) value() string {
	switch {
	case row.Missing:
		return "missing"
	case row.Kind == "ratio" || row.Kind == "speedup" || row.Kind == "info" || row.Kind == "reported" || row.Kind == "reported-info" || row.Kind == "reported-speedup" || row.Kind == "reported-min":
		// Near the limit, two decimals could show a miss as the limit
		// itself (2.997 as 3.00): give three.
		if math.Abs(row.Value-row.Limit) < 0.005 && row.Value != row.Limit {
			return fmt.Sprintf("%.3fx", row.Value)
		}
		return fmt.Sprintf("%.2fx", row.Value)
	case row.Kind == "diff":
		return fmt.Sprintf("%+.1f", row.Value)
	default:
		return num(row.Value)
	}
}

func num(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.4g", v)
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func short(name string) string { return strings.TrimPrefix(name, "Benchmark") }

// WriteTable writes one Markdown table of the checks with a result and a
// "met" column per Go version, and returns how many targets each column
// missed (missing benchmarks count as missed). Absolute values are left to
// WriteMedians: the ratios are the claims.
func WriteTable(w io.Writer, cols []Column) []int {
	missed := make([]int, len(cols))
	head, rule := "| Area | Metric | SDK | Compared with | Target |", "|---|---|---|---|---|"
	for _, c := range cols {
		head += " " + c.Go + " | Met |"
		rule += "---:|---|"
	}
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, rule)
	for i, check := range cols[0].Rows {
		other := "—"
		if check.Other != "" {
			other = short(check.Other)
		}
		line := fmt.Sprintf("| %s | %s | %s | %s | %s |", check.Group, check.Metric, short(check.SDK), other, check.target())
		for k, c := range cols {
			row := c.Rows[i]
			met := row.met(c.Target(row.Check))
			if met == "**no**" {
				missed[k]++
			}
			if row.Note != "" {
				met += " (" + row.Note + ")"
			}
			line += fmt.Sprintf(" %s | %s |", row.value(), met)
		}
		fmt.Fprintln(w, line)
	}
	return missed
}

// met says whether the row meets its target: "yes", "**no**" (also for a
// missing benchmark), or "—" for a diagnostic (no target, or a target that
// does not apply to this Go version).
func (row Row) met(target bool) string {
	switch {
	case !row.hasTarget():
		if row.Missing {
			return "missing"
		}
		return "—"
	case !target:
		return "—"
	case !row.OK:
		return "**no**"
	}
	return "yes"
}

// WriteMedians writes the median of every unit of every benchmark, sorted
// by name, as a Markdown table.
func WriteMedians(w io.Writer, r Results) {
	names := make([]string, 0, len(r))
	for n := range r {
		names = append(names, n)
	}
	slices.Sort(names)
	fmt.Fprintln(w, "| Benchmark | runs | medians |")
	fmt.Fprintln(w, "|---|---:|---|")
	for _, n := range names {
		units := make([]string, 0, len(r[n]))
		for u := range r[n] {
			units = append(units, u)
		}
		slices.Sort(units)
		parts := make([]string, 0, len(units))
		for _, u := range units {
			m, _ := r.Median(n, u)
			parts = append(parts, num(m)+" "+u)
		}
		fmt.Fprintf(w, "| %s | %d | %s |\n", short(n), len(r[n][units[0]]), strings.Join(parts, ", "))
	}
}
