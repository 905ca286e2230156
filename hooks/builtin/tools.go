package builtin

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

func init() {
	register(Tool{Name: "wordcount", Summary: "Counts the words, characters, sentences, lines and paragraphs of input_data.text, with a reading time.", run: wordCount})
	register(Tool{Name: "json-format", Summary: "Validates and pretty-prints the JSON text in input_data.json (or input_data itself when json is absent).", run: jsonFormat})
	register(Tool{Name: "hash", Summary: "The SHA-256 (or sha512, sha1, md5: input_data.algorithm) of input_data.text, or of input_data's canonical JSON, in hex and base64.", run: hashInput})
	register(Tool{Name: "markdown", Summary: "Renders the Markdown in input_data.markdown (or input_data.text) as HTML; raw HTML and unsafe links are dropped.", run: markdownToHTML})
	register(Tool{Name: "units", Summary: "Converts input_data.value from input_data.from to input_data.to (length, mass, temperature, volume, time, speed, data).", run: convertUnits})
}

// ---------------------------------------------------------------------------
// wordcount

func wordCount(in map[string]any) (any, error) {
	s, ok, err := text(in, "text")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New(`input_data needs "text": the text to count`)
	}
	words, sentences, inSentence := 0, 0, false
	for _, w := range strings.FieldsFunc(s, unicode.IsSpace) {
		if strings.IndexFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			words++
		}
	}
	for _, r := range s {
		switch {
		case r == '.' || r == '!' || r == '?' || r == '…' || r == '。':
			if inSentence {
				sentences++
			}
			inSentence = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			inSentence = true
		}
	}
	if inSentence {
		sentences++
	}
	lines, paragraphs := 0, 0
	if s != "" {
		lines = strings.Count(s, "\n") + 1
		if strings.HasSuffix(s, "\n") {
			lines--
		}
		for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
			if strings.TrimSpace(p) != "" {
				paragraphs++
			}
		}
	}
	noSpaces := 0
	for _, r := range s {
		if !unicode.IsSpace(r) {
			noSpaces++
		}
	}
	return map[string]any{
		"words":                words,
		"characters":           utf8.RuneCountInString(s),
		"characters_no_spaces": noSpaces,
		"sentences":            sentences,
		"lines":                lines,
		"paragraphs":           paragraphs,
		"bytes":                len(s),
		// 200 words a minute, rounded up to the second
		"reading_time_seconds": int(math.Ceil(float64(words) * 60 / 200)),
	}, nil
}

// ---------------------------------------------------------------------------
// json-format

func jsonFormat(in map[string]any) (any, error) {
	indent := 2
	if v, present := in["indent"]; present {
		n, isNum := v.(float64)
		if !isNum || n != math.Trunc(n) || n < 0 || n > 8 {
			return nil, errors.New("input_data.indent must be a whole number from 0 to 8")
		}
		indent = int(n)
	}
	src, ok, err := text(in, "json")
	if err != nil {
		return nil, err
	}
	var raw []byte
	if ok {
		raw = []byte(src)
		if strings.TrimSpace(src) == "" {
			return nil, errors.New("input_data.json is empty: send the JSON text to format")
		}
		if !json.Valid(raw) {
			return nil, fmt.Errorf("input_data.json is not valid JSON: %s", syntaxError(raw))
		}
	} else {
		// no "json": format input_data itself (without this tool's options)
		rest := map[string]any{}
		for k, v := range in {
			if k != "indent" {
				rest[k] = v
			}
		}
		raw, _ = json.Marshal(rest)
	}
	var pretty, compact bytes.Buffer
	if err := json.Indent(&pretty, raw, "", strings.Repeat(" ", indent)); err != nil {
		return nil, fmt.Errorf("input_data.json is not valid JSON: %s", syntaxError(raw))
	}
	if err := json.Compact(&compact, raw); err != nil {
		return nil, fmt.Errorf("input_data.json is not valid JSON: %s", syntaxError(raw))
	}
	var value any
	json.Unmarshal(raw, &value)
	formatted := pretty.String()
	if indent == 0 {
		formatted = compact.String()
	}
	return map[string]any{
		"valid":     true,
		"type":      jsonType(value),
		"formatted": formatted,
		"minified":  compact.String(),
		"bytes":     compact.Len(),
	}, nil
}

// syntaxError says where JSON text goes wrong: the parser's message and the
// line and column of the offending byte.
func syntaxError(raw []byte) string {
	var v any
	err := json.Unmarshal(raw, &v)
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		if err == nil {
			return "unknown error"
		}
		return err.Error()
	}
	off := int(se.Offset)
	if off > len(raw) {
		off = len(raw)
	}
	before := raw[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:])
	if col < 1 {
		col = 1
	}
	msg := strings.TrimPrefix(se.Error(), "jsontext: ")
	return fmt.Sprintf("%s (line %d, column %d)", msg, line, col)
}

func jsonType(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}

// ---------------------------------------------------------------------------
// hash

var hashes = map[string]func() hash.Hash{"sha256": sha256.New, "sha512": sha512.New, "sha1": sha1.New, "md5": md5.New}

func hashInput(in map[string]any) (any, error) {
	algo := "sha256"
	if v, present := in["algorithm"]; present {
		s, isString := v.(string)
		if _, known := hashes[strings.ToLower(s)]; !isString || !known {
			return nil, errors.New("input_data.algorithm must be one of sha256, sha512, sha1, md5")
		}
		algo = strings.ToLower(s)
	}
	s, ok, err := text(in, "text")
	if err != nil {
		return nil, err
	}
	of := "text"
	data := []byte(s)
	if !ok {
		// no "text": the canonical JSON of input_data (keys sorted, no spaces)
		rest := map[string]any{}
		for k, v := range in {
			if k != "algorithm" {
				rest[k] = v
			}
		}
		data, _ = json.Marshal(rest)
		of = "input_data"
	}
	h := hashes[algo]()
	h.Write(data)
	sum := h.Sum(nil)
	return map[string]any{
		"algorithm": algo,
		"of":        of,
		"bytes":     len(data),
		"hex":       hex.EncodeToString(sum),
		"base64":    base64.StdEncoding.EncodeToString(sum),
	}, nil
}

// ---------------------------------------------------------------------------
// markdown

// md renders CommonMark plus tables, strikethrough and autolinks. goldmark
// drops raw HTML ("<!-- raw HTML omitted -->") and dangerous link targets
// (javascript:, vbscript:, file:, most data:) unless told otherwise, and it is
// not told otherwise here.
var md = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify))

func markdownToHTML(in map[string]any) (any, error) {
	s, ok, err := text(in, "markdown")
	if err != nil {
		return nil, err
	}
	if !ok {
		if s, ok, err = text(in, "text"); err != nil {
			return nil, err
		}
	}
	if !ok {
		return nil, errors.New(`input_data needs "markdown": the Markdown text to render`)
	}
	var out bytes.Buffer
	if err := md.Convert([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("the Markdown could not be rendered: %v", err)
	}
	return map[string]any{"html": out.String()}, nil
}

// ---------------------------------------------------------------------------
// units

type unit struct {
	kind   string
	factor float64 // to the kind's base unit (temperatures: see convertTemp)
}

var units = map[string]unit{
	// length, in metres
	"mm": {"length", 0.001}, "cm": {"length", 0.01}, "m": {"length", 1}, "km": {"length", 1000},
	"in": {"length", 0.0254}, "ft": {"length", 0.3048}, "yd": {"length", 0.9144}, "mi": {"length", 1609.344}, "nmi": {"length", 1852},
	// mass, in kilograms
	"mg": {"mass", 1e-6}, "g": {"mass", 0.001}, "kg": {"mass", 1}, "t": {"mass", 1000},
	"oz": {"mass", 0.028349523125}, "lb": {"mass", 0.45359237}, "st": {"mass", 6.35029318},
	// volume, in litres (US customary)
	"ml": {"volume", 0.001}, "l": {"volume", 1}, "m3": {"volume", 1000},
	"tsp": {"volume", 0.00492892159375}, "tbsp": {"volume", 0.01478676478125}, "floz": {"volume", 0.0295735295625},
	"cup": {"volume", 0.2365882365}, "pt": {"volume", 0.473176473}, "qt": {"volume", 0.946352946}, "gal": {"volume", 3.785411784},
	// time, in seconds
	"ms": {"time", 0.001}, "s": {"time", 1}, "min": {"time", 60}, "h": {"time", 3600}, "d": {"time", 86400}, "wk": {"time", 604800},
	// speed, in metres per second
	"m/s": {"speed", 1}, "km/h": {"speed", 1000.0 / 3600}, "mph": {"speed", 0.44704}, "kn": {"speed", 1852.0 / 3600},
	// data, in bytes
	"b": {"data", 1}, "kb": {"data", 1e3}, "mb": {"data", 1e6}, "gb": {"data", 1e9}, "tb": {"data", 1e12},
	"kib": {"data", 1024}, "mib": {"data", 1 << 20}, "gib": {"data", 1 << 30}, "tib": {"data", 1 << 40},
	// temperature
	"c": {"temperature", 0}, "f": {"temperature", 0}, "k": {"temperature", 0},
}

var unitAliases = map[string]string{
	"meter": "m", "meters": "m", "metre": "m", "metres": "m", "kilometer": "km", "kilometers": "km", "kilometre": "km", "kilometres": "km",
	"centimeter": "cm", "centimeters": "cm", "millimeter": "mm", "millimeters": "mm", "inch": "in", "inches": "in",
	"foot": "ft", "feet": "ft", "yard": "yd", "yards": "yd", "mile": "mi", "miles": "mi",
	"gram": "g", "grams": "g", "kilogram": "kg", "kilograms": "kg", "pound": "lb", "pounds": "lb", "lbs": "lb", "ounce": "oz", "ounces": "oz", "tonne": "t", "tonnes": "t",
	"liter": "l", "liters": "l", "litre": "l", "litres": "l", "milliliter": "ml", "milliliters": "ml", "gallon": "gal", "gallons": "gal",
	"second": "s", "seconds": "s", "sec": "s", "minute": "min", "minutes": "min", "hour": "h", "hours": "h", "hr": "h", "day": "d", "days": "d", "week": "wk", "weeks": "wk",
	"kph": "km/h", "kmh": "km/h", "knot": "kn", "knots": "kn", "mps": "m/s",
	"byte": "b", "bytes": "b",
	"°c": "c", "celsius": "c", "°f": "f", "fahrenheit": "f", "kelvin": "k",
}

func unitNamed(s string) (string, unit, bool) {
	key := strings.ToLower(strings.TrimSpace(s))
	if alias, ok := unitAliases[key]; ok {
		key = alias
	}
	u, ok := units[key]
	return key, u, ok
}

func convertUnits(in map[string]any) (any, error) {
	value, isNum := in["value"].(float64)
	if !isNum {
		if s, isString := in["value"].(string); isString {
			if _, err := fmt.Sscan(s, &value); err != nil {
				return nil, errors.New("input_data.value must be a number")
			}
		} else {
			return nil, errors.New(`input_data needs "value" (a number), "from" and "to" (units such as km, mi, kg, lb, c, f)`)
		}
	}
	from, _, _ := text(in, "from")
	to, _, _ := text(in, "to")
	fk, fu, ok := unitNamed(from)
	if !ok {
		return nil, fmt.Errorf("input_data.from: unknown unit %q", from)
	}
	tk, tu, ok := unitNamed(to)
	if !ok {
		return nil, fmt.Errorf("input_data.to: unknown unit %q", to)
	}
	if fu.kind != tu.kind {
		return nil, fmt.Errorf("cannot convert %s (%s) to %s (%s)", fk, fu.kind, tk, tu.kind)
	}
	var result float64
	if fu.kind == "temperature" {
		result = convertTemp(value, fk, tk)
	} else {
		result = value * fu.factor / tu.factor
	}
	// 10 significant digits: no float noise such as 3.1068559611866697
	result, _ = roundSig(result, 10)
	return map[string]any{"value": value, "from": fk, "to": tk, "kind": fu.kind, "result": result}, nil
}

func convertTemp(v float64, from, to string) float64 {
	var k float64
	switch from {
	case "c":
		k = v + 273.15
	case "f":
		k = (v-32)*5/9 + 273.15
	default:
		k = v
	}
	switch to {
	case "c":
		return k - 273.15
	case "f":
		return (k-273.15)*9/5 + 32
	}
	return k
}

func roundSig(v float64, digits int) (float64, error) {
	if v == 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return v, nil
	}
	var out float64
	_, err := fmt.Sscan(fmt.Sprintf("%.*g", digits, v), &out)
	return out, err
}
