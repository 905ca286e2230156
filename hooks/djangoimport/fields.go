package djangoimport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
)

// The fields of the platform's models, as its dumpdata writes them.

type djUser struct {
	Password      string          `json:"password"`
	IsSuperuser   bool            `json:"is_superuser"`
	Username      string          `json:"username"`
	FirstName     string          `json:"first_name"`
	LastName      string          `json:"last_name"`
	IsActive      *bool           `json:"is_active"`
	DateJoined    string          `json:"date_joined"`
	Email         string          `json:"email"`
	Role          string          `json:"role"`
	PhoneNumber   *string         `json:"phone_number"`
	CompanyName   *string         `json:"company_name"`
	Bio           *string         `json:"bio"`
	Avatar        *string         `json:"avatar"`
	PointsBalance json.RawMessage `json:"points_balance"`
	APIKey        *string         `json:"api_key"`
	TotalRevenue  json.RawMessage `json:"total_revenue"`
	TotalPayouts  json.RawMessage `json:"total_payouts"`
	CreatedAt     string          `json:"created_at"`
	UpdatedAt     string          `json:"updated_at"`
}

type djTool struct {
	Name             string          `json:"name"`
	Description      string          `json:"description"`
	Category         string          `json:"category"`
	Status           string          `json:"status"`
	Creator          json.RawMessage `json:"creator"`
	PointsCost       json.RawMessage `json:"points_cost"`
	APIEndpoint      *string         `json:"api_endpoint"`
	APIDocumentation *string         `json:"api_documentation"`
	Tags             json.RawMessage `json:"tags"`
	Version          string          `json:"version"`
	TotalUses        json.RawMessage `json:"total_uses"`
	TotalRevenue     json.RawMessage `json:"total_revenue"`
	AverageRating    json.RawMessage `json:"average_rating"`
	CreatedAt        string          `json:"created_at"`
	UpdatedAt        string          `json:"updated_at"`
}

type djProfile struct {
	User               json.RawMessage `json:"user"`
	Website            *string         `json:"website"`
	Location           *string         `json:"location"`
	Skills             json.RawMessage `json:"skills"`
	EmailNotifications *bool           `json:"email_notifications"`
	MarketingEmails    *bool           `json:"marketing_emails"`
}

type djUsage struct {
	Tool          json.RawMessage `json:"tool"`
	User          json.RawMessage `json:"user"`
	InputData     json.RawMessage `json:"input_data"`
	OutputData    json.RawMessage `json:"output_data"`
	PointsSpent   json.RawMessage `json:"points_spent"`
	ExecutionTime *string         `json:"execution_time"`
	Success       *bool           `json:"success"`
	ErrorMessage  *string         `json:"error_message"`
	CreatedAt     string          `json:"created_at"`
}

type djFeedback struct {
	Tool      json.RawMessage `json:"tool"`
	User      json.RawMessage `json:"user"`
	Rating    json.RawMessage `json:"rating"`
	Comment   *string         `json:"comment"`
	IsPublic  *bool           `json:"is_public"`
	CreatedAt string          `json:"created_at"`
	UpdatedAt string          `json:"updated_at"`
}

type djKey struct {
	Tool         json.RawMessage `json:"tool"`
	User         json.RawMessage `json:"user"`
	KeyName      string          `json:"key_name"`
	APIKey       string          `json:"api_key"`
	IsActive     *bool           `json:"is_active"`
	DailyLimit   json.RawMessage `json:"daily_limit"`
	MonthlyLimit json.RawMessage `json:"monthly_limit"`
	DailyUsage   json.RawMessage `json:"daily_usage"`
	MonthlyUsage json.RawMessage `json:"monthly_usage"`
	CreatedAt    string          `json:"created_at"`
	LastUsed     *string         `json:"last_used"`
}

// fieldError is a problem with one field of a row.
type fieldError struct {
	field, msg string
}

func (e *fieldError) Error() string { return e.field + ": " + e.msg }

func fieldErr(field, format string, args ...any) *fieldError {
	return &fieldError{field: field, msg: fmt.Sprintf(format, args...)}
}

// decodeFields decodes a row's fields into v; a type error names its field.
func decodeFields(raw json.RawMessage, v any) error {
	err := json.Unmarshal(raw, v)
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fieldErr(typ.Field, "expected %s, found a JSON %s", typ.Type, typ.Value)
	}
	if err != nil {
		return fieldErr("", "%v", err)
	}
	return nil
}

// parsePK reads a primary key or foreign key: a positive integer (null: 0).
func parsePK(raw json.RawMessage) (int64, error) {
	n, err := parseInt(raw)
	if s, null := scalar(raw); !null && (err != nil || n <= 0 || n > 1e15) {
		return 0, fmt.Errorf("%s is not an integer id", s)
	}
	return n, nil
}

// scalar is raw's text, trimmed, and whether it is null (or nothing).
func scalar(raw json.RawMessage) (s string, null bool) {
	s = strings.TrimSpace(string(raw))
	return s, s == "" || s == "null"
}

// parseInt reads a whole number (null: 0).
func parseInt(raw json.RawMessage) (int64, error) {
	s, null := scalar(raw)
	if null {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s is not a whole number", s)
	}
	return n, nil
}

// parsePoints reads an amount of points: a whole number, or a decimal string
// ("12.00") whose cents are zero (toolbase counts whole points; a fraction is
// refused rather than rounded). Null is 0.
func parsePoints(raw json.RawMessage) (int64, error) {
	s, null := scalar(raw)
	if null {
		return 0, nil
	}
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, err
		}
	}
	whole, frac, _ := strings.Cut(s, ".")
	if strings.Trim(frac, "0") != "" {
		return 0, fmt.Errorf("%s is not a whole number of points (toolbase does not round money)", s)
	}
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s is not an amount", s)
	}
	if n > c.MaxPoints || n < -c.MaxPoints {
		return 0, fmt.Errorf("%s is beyond toolbase's limit of %d", s, int64(c.MaxPoints))
	}
	return n, nil
}

// parseRating reads an average rating ("3.50" or 3.5), for the comparison.
func parseRating(raw json.RawMessage) (float64, bool) {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && !math.IsNaN(f)
}

// parseTime reads one of Django's datetimes: ISO 8601 with a zone (a naive
// one is read as UTC). Empty or null: the zero time.
func parseTime(s string) (types.DateTime, error) {
	if s == "" {
		return types.DateTime{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return types.ParseDateTime(t.UTC())
		}
	}
	return types.DateTime{}, fmt.Errorf("%q is not a date and time", s)
}

// parseDuration reads Django's duration string "[-][D ]HH:MM:SS[.ffffff]"
// as milliseconds (rounded down).
func parseDuration(s string) (int64, error) {
	orig := s
	var days int64
	if d, rest, ok := strings.Cut(s, " "); ok {
		n, err := strconv.ParseInt(d, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration", orig)
		}
		days, s = n, rest
	}
	parts := strings.Split(s, ":")
	if len(parts) > 3 {
		return 0, fmt.Errorf("%q is not a duration", orig)
	}
	var micros int64
	for i, p := range parts {
		unit := []int64{1, 60, 3600}[len(parts)-1-i]
		whole, frac, _ := strings.Cut(p, ".")
		n, err := strconv.ParseInt(whole, 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q is not a duration", orig)
		}
		micros += n * unit * 1e6
		if frac != "" {
			if i != len(parts)-1 || len(frac) > 6 {
				return 0, fmt.Errorf("%q is not a duration", orig)
			}
			f, err := strconv.ParseInt((frac + "000000")[:6], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("%q is not a duration", orig)
			}
			micros += f
		}
	}
	ms := days*86_400_000 + micros/1000
	if ms < 0 {
		return 0, fmt.Errorf("%q is a negative duration", orig)
	}
	return ms, nil
}

// compactJSON returns raw without its indentation (dumpdata --indent), or
// "" for an absent value or null.
func compactJSON(raw json.RawMessage) (string, error) {
	s := bytes.TrimSpace(raw)
	if len(s) == 0 || string(s) == "null" {
		return "", nil
	}
	var out bytes.Buffer
	if err := json.Compact(&out, s); err != nil {
		return "", err
	}
	return out.String(), nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func boolOr(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}
