package hooks

import (
	"regexp"
	"time"
)

// A bodySpec is the one description of a DRF write body: the route reads the
// request through it (bodySpec.read, with the form's DRF semantics and
// messages) and the OpenAPI description shows it (bodySpec.schema, a
// component named name). What a body needs beyond its fields (a password
// confirmation, a status move, a uniqueness check) stays in the handler,
// next to the read.
type bodySpec struct {
	name   string // the component schema's name
	desc   string
	fields []bodyField
}

// fieldKind is how a field is read (the form method) and described.
type fieldKind int

const (
	textField       fieldKind = iota // form.text: a trimmed string
	secretField                      // formSecret: a string taken exactly as sent
	integerField                     // form.integer
	choiceField                      // form.choice
	linkField                        // form.link: an http(s) URL or ""
	stringListField                  // form.stringList
	objectField                      // form.object; with nested, read by that spec
	boolField                        // form.boolean
	datetimeField                    // form.datetime: RFC 3339, or null to clear
	idField                          // a record's id; null or "" for none
)

// bodyField is one field of a body.
type bodyField struct {
	name     string
	kind     fieldKind
	required bool // PUT and POST need it (PATCH never); a text or secret also refuses blank
	notBlank bool // optional, but refused blank when sent
	// integer: the bounds; text, secret: max characters (max < 0: none); link:
	// max characters; string list: max items. min of a secret: its minimum
	// length (see lateLimits).
	min, max int64
	itemMax  int64 // string list: max characters of an item
	choices  []string
	pattern  *regexp.Regexp // text: refused with patternMsg unless it matches
	// patternMsg is the error of a text that pattern refuses.
	patternMsg string
	// lateLimits: the secret's min and max are checked by the handler's own
	// logic, after the body's cross-field checks (a password's validators)
	// or as an invalid token (401); read takes any non-blank string.
	lateLimits bool
	format     string    // described: "email", "password"
	def        any       // described: what an omitted field becomes on create
	desc       string    // described
	nested     *bodySpec // object: the spec its fields are read by
	// readBy reads a field whose reading is its own (an id's messages); the
	// kind still describes it.
	readBy func(f *form, name string)
}

// Field constructors: the kind and its limits; the methods below add the rest.
func textF(name string, max int) bodyField {
	return bodyField{name: name, kind: textField, max: int64(max)}
}
func secretF(name string, max int) bodyField {
	return bodyField{name: name, kind: secretField, max: int64(max), required: true}
}
func integerF(name string, min, max int64) bodyField {
	return bodyField{name: name, kind: integerField, min: min, max: max}
}
func choiceF(name string, choices []string) bodyField {
	return bodyField{name: name, kind: choiceField, choices: choices}
}
func linkF(name string) bodyField { return bodyField{name: name, kind: linkField, max: maxLinkChars} }
func stringListF(name string, maxItems, maxChars int) bodyField {
	return bodyField{name: name, kind: stringListField, max: int64(maxItems), itemMax: int64(maxChars)}
}
func objectF(name string, nested *bodySpec) bodyField {
	return bodyField{name: name, kind: objectField, nested: nested}
}
func boolF(name string) bodyField     { return bodyField{name: name, kind: boolField} }
func datetimeF(name string) bodyField { return bodyField{name: name, kind: datetimeField} }
func idF(name string) bodyField       { return bodyField{name: name, kind: idField} }

func (fd bodyField) req() bodyField              { fd.required = true; return fd }
func (fd bodyField) nonBlank() bodyField         { fd.notBlank = true; return fd }
func (fd bodyField) about(desc string) bodyField { fd.desc = desc; return fd }
func (fd bodyField) dflt(v any) bodyField        { fd.def = v; return fd }
func (fd bodyField) formatted(f string) bodyField {
	fd.format = f
	return fd
}
func (fd bodyField) matching(re *regexp.Regexp, msg string) bodyField {
	fd.pattern, fd.patternMsg = re, msg
	return fd
}
func (fd bodyField) checkedLater(min int64) bodyField {
	fd.lateLimits, fd.min = true, min
	return fd
}
func (fd bodyField) readWith(read func(f *form, name string)) bodyField {
	fd.readBy = read
	return fd
}

// maxLinkChars bounds a URL field (Django's URLField).
const maxLinkChars = 200

// read reads every field of the spec into f: f.clean gets the valid ones
// (the rules' @request.body), f.errs the errors.
func (b *bodySpec) read(f *form) {
	for _, fd := range b.fields {
		fd.read(f)
	}
}

func (fd bodyField) read(f *form) {
	if fd.readBy != nil {
		fd.readBy(f, fd.name)
		return
	}
	switch fd.kind {
	case textField:
		s, ok := f.text(fd.name, int(fd.max), fd.required)
		switch {
		case !ok:
		case fd.notBlank && s == "":
			f.refuse(fd.name, "This field may not be blank.")
		case fd.pattern != nil && !fd.pattern.MatchString(s):
			f.refuse(fd.name, fd.patternMsg)
		}
	case secretField:
		max := int(fd.max)
		if fd.lateLimits {
			max = -1
		}
		formSecret(f, fd.name, max)
	case integerField:
		f.integer(fd.name, fd.min, fd.max, fd.required)
	case choiceField:
		f.choice(fd.name, fd.choices, fd.required)
	case linkField:
		f.link(fd.name, int(fd.max))
	case stringListField:
		f.stringList(fd.name, int(fd.max), int(fd.itemMax))
	case objectField:
		obj, ok := f.object(fd.name, fd.required)
		if ok && fd.nested != nil {
			sub := &form{data: obj, clean: map[string]any{}, errs: FieldErrors{}, partial: true}
			fd.nested.read(sub)
			f.keep(fd.name, sub.clean)
			f.nest(fd.name, sub)
		}
	case boolField:
		f.boolean(fd.name)
	case datetimeField:
		f.datetime(fd.name)
	case idField:
		// null or "" for none; any string is taken (the rules judge it)
		if v, present := f.data[fd.name]; present {
			switch v := v.(type) {
			case nil:
				f.keep(fd.name, "")
			case string:
				f.keep(fd.name, v)
			default:
				f.errs.Add(fd.name, "Incorrect type. Expected pk value.")
			}
		}
	}
}

// refuse drops a field read successfully but refused by a further check.
func (f *form) refuse(field, msg string) {
	delete(f.clean, field)
	f.errs.Add(field, msg)
}

// The values read, by field.
func (f *form) cleanText(field string) (string, bool) { s, ok := f.clean[field].(string); return s, ok }
func (f *form) cleanInt(field string) (int64, bool)   { n, ok := f.clean[field].(int64); return n, ok }
func (f *form) cleanBool(field string) (bool, bool)   { b, ok := f.clean[field].(bool); return b, ok }

// cleanTime is a datetime read: ok with a zero time for null (clear it).
func (f *form) cleanTime(field string) (time.Time, bool) {
	switch v := f.clean[field].(type) {
	case time.Time:
		return v, true
	case string:
		return time.Time{}, true
	}
	return time.Time{}, false
}
