package hooks

import (
	"encoding/json"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// omittedDefaults are the DRF API's defaults for fields a create leaves out; a
// number or a bool can't tell "left out" from zero, so only the request knows.
var omittedDefaults = map[string]map[string]any{
	c.Users: {c.UserEmailNotifications: true},
	c.Tools: {c.ToolPointsCost: c.DefaultPointsCost},
}

// emptyDefaults are the DRF API's defaults for fields a new record has left empty.
var emptyDefaults = map[string]map[string]any{
	c.Users: {c.UserRole: c.RoleClient, c.UserSkills: []string{}},
	c.Tools: {c.ToolStatus: c.StatusDraft, c.ToolCategory: c.CategoryOther, c.ToolVersion: c.DefaultVersion, c.ToolTags: []string{},
		c.ToolTimeoutSeconds: c.DefaultToolTimeout},
}

// stringLists are the JSON fields that must hold a list of short strings.
var stringLists = map[string][]string{
	c.Users: {c.UserSkills},
	c.Tools: {c.ToolTags},
}

const (
	maxListItems = 50
	maxItemChars = 100
)

// applyOmittedDefaults sets the defaults of the fields for which given reports false.
func applyOmittedDefaults(r *core.Record, given func(field string) bool) {
	for field, value := range omittedDefaults[r.Collection().Name] {
		if !given(field) {
			r.Set(field, value)
		}
	}
}

func bindDefaults(app core.App) {
	for name := range omittedDefaults {
		app.OnRecordCreateRequest(name).BindFunc(func(e *core.RecordRequestEvent) error {
			info, err := e.RequestInfo()
			if err != nil {
				return err
			}
			applyOmittedDefaults(e.Record, func(f string) bool { _, ok := info.Body[f]; return ok })
			return e.Next()
		})
	}
	for name, defaults := range emptyDefaults {
		app.OnRecordCreate(name).BindFunc(func(e *core.RecordEvent) error {
			for field, value := range defaults {
				if isZero(e.Record.Get(field)) {
					e.Record.Set(field, value)
				}
			}
			return e.Next()
		})
	}
	for name, fields := range stringLists {
		app.OnRecordValidate(name).BindFunc(func(e *core.RecordEvent) error {
			errs := validation.Errors{}
			for _, f := range fields {
				if err := validateStringList(e.Record.GetString(f)); err != nil {
					errs[f] = err
				}
			}
			if len(errs) > 0 {
				return errs
			}
			return e.Next()
		})
	}
	// a creator's tool is its own; the create rule already refused any other creator
	app.OnRecordCreateRequest(c.Tools).BindFunc(func(e *core.RecordRequestEvent) error {
		if e.Record.GetString(c.ToolCreator) == "" && e.Auth != nil && e.Auth.Collection().Name == c.Users {
			e.Record.Set(c.ToolCreator, e.Auth.Id)
		}
		return e.Next()
	})
}

func validateStringList(raw string) error {
	if raw == "" || raw == "null" {
		return nil
	}
	var items []string
	if err := json.Unmarshal([]byte(raw), &items); err != nil {
		return validation.NewError("toolbase_string_list", "Must be a list of strings.")
	}
	if len(items) > maxListItems {
		return validation.NewError("toolbase_list_too_long", "At most 50 items.")
	}
	for _, it := range items {
		if len([]rune(it)) > maxItemChars {
			return validation.NewError("toolbase_item_too_long", "Each item is at most 100 characters.")
		}
	}
	return nil
}

// isZero reports whether a record value is empty: "", 0, false, null, [] or {}.
func isZero(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case float64:
		return v == 0
	case bool:
		return !v
	case []string:
		return len(v) == 0
	}
	b, _ := json.Marshal(v)
	s := string(b)
	return s == "null" || s == `""` || s == "0" || s == "[]" || s == "{}"
}
