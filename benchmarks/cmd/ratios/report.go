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
	//   "info": SDK / Other, shown with no target (CPU time, for reading
	//   wall-time ratios measured on a busy machine).
	Kind  string
	Limit float64
	Note  string
}

// Row is one evaluated Check.
type Row struct {
	Check
	SDKValue, OtherValue, Value float64
	Missing                     bool
	OK                          bool
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
		case c.Kind == "diff":
			row.Value = s - o
			row.OK = row.Value <= c.Limit
		case c.Kind == "info" && o > 0:
			row.Value = s / o
			row.OK = true
		case c.Kind == "reported-info":
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

func (c Check) target() string {
	switch c.Kind {
	case "ratio", "reported":
		return fmt.Sprintf("≤ %.2fx", c.Limit)
	case "speedup":
		return fmt.Sprintf("≥ %.2fx", c.Limit)
	case "diff":
		return fmt.Sprintf("≤ +%g", c.Limit)
	case "info", "reported-info":
		return "(no target)"
	default:
		return fmt.Sprintf("≤ %g", c.Limit)
	}
}

func (row Row) value() string {
	switch {
	case row.Missing:
		return "missing"
	case row.Kind == "ratio" || row.Kind == "speedup" || row.Kind == "info" || row.Kind == "reported" || row.Kind == "reported-info":
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

// WriteTable writes the rows as a Markdown table and returns how many
// targets were missed (missing benchmarks count as missed).
func WriteTable(w io.Writer, rows []Row) int {
	missed := 0
	fmt.Fprintln(w, "| Area | Metric | SDK | Compared with | SDK value | Other value | Result | Target | Met |")
	fmt.Fprintln(w, "|---|---|---|---|---:|---:|---:|---|---|")
	for _, row := range rows {
		other, ov := "—", "—"
		if row.Other != "" {
			other = short(row.Other)
			if !row.Missing {
				ov = num(row.OtherValue)
			}
		}
		sv := "—"
		if !row.Missing {
			sv = num(row.SDKValue)
		}
		met := "yes"
		if (row.Kind == "info" || row.Kind == "reported-info") && !row.Missing {
			met = "—"
		}
		if !row.OK {
			met = "**no**"
			missed++
		}
		if row.Note != "" {
			met += " (" + row.Note + ")"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			row.Group, row.Metric, short(row.SDK), other, sv, ov, row.value(), row.target(), met)
	}
	return missed
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
