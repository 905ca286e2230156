package djangoimport

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// A dump is the output of `python manage.py dumpdata`: one JSON list of
// {"model", "pk", "fields"} objects. It is read as a stream (a json.Decoder,
// token by token for the list, one row at a time), never held whole: twice,
// each row decoded once each time.
//
//  1. scan reads the whole file and checks its structure: a list of rows, to
//     its closing bracket and nothing after. A truncated or corrupted file
//     is refused here, before anything is written. It notes where each run
//     of rows of one model lies in the file (a segment) and counts them.
//  2. The import then reads the segments again, model by model in the order
//     their references need (users before tools before usage…), whatever
//     the order of the file.

// row is one serialized Django object.
type row struct {
	Model  string          `json:"model"`
	PK     json.RawMessage `json:"pk"`
	Fields json.RawMessage `json:"fields"`
}

// segment is a run of consecutive rows of one model: bytes [start, end) of
// the file, the first at index first of the list.
type segment struct {
	model      string
	start, end int64
	first      int
	rows       int
}

// scanned is what scan learned of a file.
type scanned struct {
	size     int64
	segments []segment
	counts   map[string]int // rows per model
	firstAt  map[string]int // index of the first row of each model
	rows     int
}

// FileError is a dump refused as a whole: nothing was imported from it.
type FileError struct {
	Path   string // the row's JSON path, if it is about one
	Offset int64  // byte offset of the problem in the file
	Msg    string
}

func (e *FileError) Error() string {
	where := fmt.Sprintf("at byte %d", e.Offset)
	if e.Path != "" {
		where = e.Path + ", " + where
	}
	return fmt.Sprintf("the dump is refused, nothing was imported: %s (%s)", e.Msg, where)
}

// rowPath is the JSON path of the i-th row of the list.
func rowPath(i int) string { return "$[" + strconv.Itoa(i) + "]" }

// scan reads the whole file at path and checks that it is a dump, calling
// progress with the bytes read now and then.
func scan(path string, progress func(done int64)) (*scanned, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file: the import reads it twice", path)
	}
	s := &scanned{size: info.Size(), counts: map[string]int{}, firstAt: map[string]int{}}
	dec := json.NewDecoder(bufio.NewReaderSize(f, 1<<16))
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxError(dec, "", err, "the file is empty or not JSON")
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, &FileError{Offset: 0, Msg: "the file is not a JSON list (dumpdata's output starts with '[')"}
	}
	for i := 0; dec.More(); i++ {
		start := dec.InputOffset()
		var r row
		if err := dec.Decode(&r); err != nil {
			return nil, syntaxError(dec, rowPath(i), err, "")
		}
		if err := checkRow(r); err != nil {
			return nil, &FileError{Path: rowPath(i), Offset: start, Msg: err.Error()}
		}
		end := dec.InputOffset()
		if n := len(s.segments); n > 0 && s.segments[n-1].model == r.Model {
			s.segments[n-1].end = end
			s.segments[n-1].rows++
		} else {
			s.segments = append(s.segments, segment{model: r.Model, start: start, end: end, first: i, rows: 1})
		}
		if _, seen := s.firstAt[r.Model]; !seen {
			s.firstAt[r.Model] = i
		}
		s.counts[r.Model]++
		s.rows++
		if progress != nil && i%4096 == 0 {
			progress(end)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing ']'
		return nil, syntaxError(dec, rowPath(s.rows), err, "")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &FileError{Offset: dec.InputOffset(), Msg: "data after the end of the list"}
	}
	if progress != nil {
		progress(s.size)
	}
	return s, nil
}

// checkRow checks that r has the shape of a serialized object.
func checkRow(r row) error {
	switch {
	case r.Model == "":
		return errors.New(`a row without "model": not dumpdata's output`)
	case len(r.PK) == 0 || string(r.PK) == "null":
		return errors.New(`a row without "pk": not dumpdata's output`)
	case len(r.Fields) == 0 || r.Fields[0] != '{':
		return errors.New(`a row whose "fields" is not an object: not dumpdata's output`)
	}
	return nil
}

// syntaxError explains a decoding error of the file.
func syntaxError(dec *json.Decoder, path string, err error, fallback string) error {
	offset := dec.InputOffset()
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	msg := fallback
	switch {
	case errors.Is(err, io.EOF) && offset == 0:
		msg = "the file is empty, not dumpdata's output"
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		(errors.As(err, &syn) && strings.Contains(syn.Error(), "unexpected end of JSON input")):
		msg = "the file ends in the middle of the list: it is truncated (was dumpdata interrupted, or the copy incomplete?)"
	case errors.As(err, &syn):
		offset = syn.Offset
		msg = "the file is not valid JSON: " + syn.Error()
	case errors.As(err, &typ):
		offset = typ.Offset
		msg = "a row is not a Django serialized object: " + typ.Error()
	case msg == "":
		msg = err.Error()
	}
	return &FileError{Path: path, Offset: offset, Msg: msg}
}

// readSegment decodes the rows of seg from the file f again, calling fn with
// each row's index in the list.
func readSegment(f *os.File, seg segment, fn func(i int, r row) error) error {
	body := bufio.NewReaderSize(io.NewSectionReader(f, seg.start, seg.end-seg.start), 1<<16)
	// the segment starts after the previous value: skip the separator
	for {
		b, err := body.ReadByte()
		if err != nil {
			return fmt.Errorf("reading %s again: %w", rowPath(seg.first), err)
		}
		if b == ',' || b == ' ' || b == '\n' || b == '\r' || b == '\t' {
			continue
		}
		if err := body.UnreadByte(); err != nil {
			return err
		}
		break
	}
	dec := json.NewDecoder(io.MultiReader(bytes.NewReader([]byte("[")), body, bytes.NewReader([]byte("]"))))
	if _, err := dec.Token(); err != nil {
		return err
	}
	for k := 0; dec.More(); k++ {
		var r row
		if err := dec.Decode(&r); err != nil {
			return fmt.Errorf("reading %s again (did the file change during the import?): %w", rowPath(seg.first+k), err)
		}
		if err := fn(seg.first+k, r); err != nil {
			return err
		}
	}
	return nil
}
