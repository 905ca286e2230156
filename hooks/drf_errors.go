package hooks

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// The conventions of Django REST Framework that the DRF API keeps (spec
// section 4): error shapes, authentication answers, pagination, times.

// DRF's own messages, which DRF clients may match on.
const (
	msgNotAuthenticated = "Authentication credentials were not provided."
	msgTokenNotValid    = "Given token not valid for any token type"
	msgForbidden        = "You do not have permission to perform this action."
	msgNotFound         = "Not found."
	msgServerError      = "A server error occurred."
)

// apiError is an answer in DRF's shape, returned as an error by DRF handlers
// and written by the drfBoundary middleware.
type apiError struct {
	status int
	body   any
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %v", e.status, e.body) }

// errDetail is the answer {"detail": msg} with status.
func errDetail(status int, msg string) error {
	return &apiError{status: status, body: map[string]string{"detail": msg}}
}

var (
	errNotFound  = errDetail(http.StatusNotFound, msgNotFound)
	errForbidden = errDetail(http.StatusForbidden, msgForbidden)
)

// FieldErrors is DRF's validation error body: field name (or
// "non_field_errors") to messages.
type FieldErrors map[string][]string

// Add records a message for field.
func (fe FieldErrors) Add(field, msg string) { fe[field] = append(fe[field], msg) }

// Err returns the 400 answer, or nil when there are no errors.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return &apiError{status: http.StatusBadRequest, body: fe}
}

// errNonField is a 400 {"non_field_errors": [msg]}.
func errNonField(msg string) error {
	return FieldErrors{"non_field_errors": {msg}}.Err()
}

// drfBoundary is the DRF API's error boundary: whatever a handler returns
// leaves in DRF's shape, and nothing internal leaks into a response. It also
// sets the request body aside for readForm, so that nothing else (PocketBase's
// RequestInfo, which rule checks call) parses it, with its own limits and
// errors, before the route has decided to read it.
func drfBoundary(e *core.RequestEvent) error {
	e.Set(heldBodyKey, heldBody{body: e.Request.Body, length: e.Request.ContentLength})
	e.Request.Body, e.Request.ContentLength = http.NoBody, 0
	err := e.Next()
	if err == nil || e.Written() {
		return err
	}
	var drf *apiError
	var verrs validation.Errors
	var pbErr *router.ApiError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &drf):
		return e.JSON(drf.status, drf.body)
	case errors.As(err, &verrs):
		return e.JSON(http.StatusBadRequest, fieldErrorsOf(verrs))
	case errors.As(err, &tooBig):
		return e.JSON(http.StatusRequestEntityTooLarge, map[string]string{"detail": fmt.Sprintf("Request body exceeds %d bytes.", tooBig.Limit)})
	case errors.Is(err, sql.ErrNoRows):
		return e.JSON(http.StatusNotFound, map[string]string{"detail": msgNotFound})
	case errors.As(err, &pbErr) && pbErr.Status < 500:
		if data, ok := pbErr.RawData().(validation.Errors); ok {
			return e.JSON(http.StatusBadRequest, fieldErrorsOf(data))
		}
		return e.JSON(pbErr.Status, map[string]string{"detail": pbErr.Message})
	}
	e.App.Logger().Error("DRF API handler failed", "method", e.Request.Method, "path", e.Request.URL.Path, "error", err.Error())
	return e.JSON(http.StatusInternalServerError, map[string]string{"detail": msgServerError})
}

// fieldErrorsOf converts PocketBase's validation errors, flattening nested ones
// ("profile.website").
func fieldErrorsOf(errs validation.Errors) FieldErrors {
	out := FieldErrors{}
	var walk func(prefix string, errs validation.Errors)
	walk = func(prefix string, errs validation.Errors) {
		for field, err := range errs {
			var nested validation.Errors
			if errors.As(err, &nested) {
				walk(prefix+field+".", nested)
				continue
			}
			out.Add(prefix+field, drfMessage(err))
		}
	}
	walk("", errs)
	return out
}

// drfMessage words a validation error as DRF would where their meanings meet.
func drfMessage(err error) string {
	var ve validation.Error
	if !errors.As(err, &ve) {
		return err.Error()
	}
	switch ve.Code() {
	case "validation_required", "validation_nil_or_not_empty_required":
		return "This field may not be blank."
	case "validation_not_unique":
		return "A record with this value already exists."
	}
	return ve.Error()
}

// heldBody is the request body as drfBoundary found it.
type heldBody struct {
	body   io.ReadCloser
	length int64
}

const heldBodyKey = "toolbase.body"

// firstErr returns err, or fallback when err is nil.
func firstErr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}
