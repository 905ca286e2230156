package djangoimport

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// The models the import knows, in the order it imports them.
const (
	modelUser     = "users.user"
	modelProfile  = "users.userprofile"
	modelTool     = "tools.tool"
	modelUsage    = "tools.toolusage"
	modelFeedback = "tools.toolfeedback"
	modelKey      = "tools.toolapikey"
)

var models = []string{modelUser, modelProfile, modelTool, modelUsage, modelFeedback, modelKey}

// Levels of a problem.
const (
	// LevelError: the row was not imported (nor, then, the rows that refer to it).
	LevelError = "error"
	// LevelWarning: the row was imported with a change, which the message says.
	LevelWarning = "warning"
	// LevelNote: something an operator should know; nothing was changed.
	LevelNote = "note"
)

// Problem is one thing the import has to say about a row of the dump.
type Problem struct {
	Level string
	Path  string // JSON path in the dump: $[12].fields.email
	Msg   string
}

// ModelCount counts one model's rows.
type ModelCount struct {
	InFile   int // rows in the dump
	Imported int // imported by this run (with --dry-run: would be)
	Present  int // imported by an earlier run, left as they are
	Skipped  int // not imported: see the errors
}

// maxProblemsPerModel bounds the problems kept (and printed) per model and
// level: a million usage rows of one skipped user are counted, not listed.
const maxProblemsPerModel = 200

// Report is what an import did, or with --dry-run would do.
type Report struct {
	File     string
	DryRun   bool
	Counts   map[string]*ModelCount
	Problems []Problem
	// omitted counts the problems not kept, by level
	omitted map[string]int
	kept    map[string]int // problems kept by model and level
	// NeedReset lists the users (email) whose password cannot be verified:
	// unusable on Django, or of a hasher toolbase does not verify
	NeedReset []string
	Elapsed   time.Duration
}

func newReport(file string, dryRun bool) *Report {
	r := &Report{File: file, DryRun: dryRun, Counts: map[string]*ModelCount{}, omitted: map[string]int{}, kept: map[string]int{}}
	for _, m := range models {
		r.Counts[m] = &ModelCount{}
	}
	return r
}

func (r *Report) add(model, level, path, format string, args ...any) {
	key := model + "|" + level
	if r.kept[key] >= maxProblemsPerModel {
		r.omitted[level]++
		return
	}
	r.kept[key]++
	r.Problems = append(r.Problems, Problem{Level: level, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// Errors counts the rows that were (or would be) left out.
func (r *Report) Errors() int {
	n := 0
	for _, c := range r.Counts {
		n += c.Skipped
	}
	return n
}

// Print writes the report for a person.
func (r *Report) Print(w io.Writer) {
	verb := "imported"
	if r.DryRun {
		verb = "would import"
		fmt.Fprintf(w, "Dry run of %s: nothing was written.\n", r.File)
	} else {
		fmt.Fprintf(w, "Import of %s (%s):\n", r.File, r.Elapsed.Round(time.Millisecond))
	}
	fmt.Fprintf(w, "  %-20s %10s %12s %16s %10s\n", "model", "in file", verb, "already present", "skipped")
	names := slices.Sorted(func(yield func(string) bool) {
		for m := range r.Counts {
			if !yield(m) {
				return
			}
		}
	})
	slices.SortStableFunc(names, func(a, b string) int { return slices.Index(models, a) - slices.Index(models, b) })
	for _, m := range names {
		c := r.Counts[m]
		if c.InFile == 0 && slices.Contains(models, m) && c.Imported == 0 {
			continue
		}
		fmt.Fprintf(w, "  %-20s %10d %12d %16d %10d\n", m, c.InFile, c.Imported, c.Present, c.Skipped)
	}
	for _, level := range []string{LevelError, LevelWarning, LevelNote} {
		var lines []string
		for _, p := range r.Problems {
			if p.Level == level {
				lines = append(lines, fmt.Sprintf("  %s: %s", p.Path, p.Msg))
			}
		}
		if len(lines) == 0 && r.omitted[level] == 0 {
			continue
		}
		title := map[string]string{
			LevelError:   "Errors (rows not imported, nor the rows that refer to them)",
			LevelWarning: "Warnings (rows imported with a change)",
			LevelNote:    "Notes",
		}[level]
		fmt.Fprintf(w, "%s:\n%s\n", title, strings.Join(lines, "\n"))
		if n := r.omitted[level]; n > 0 {
			fmt.Fprintf(w, "  … and %d more\n", n)
		}
	}
	if len(r.NeedReset) > 0 {
		fmt.Fprintf(w, "Users who need a password reset (an unusable Django password, or a hasher toolbase does not verify): %s\n",
			strings.Join(r.NeedReset, ", "))
	}
}
