package hooks

import "github.com/pocketbase/pocketbase/core"

// apiKeyEventKey holds, on a request authenticated by an API key, the key's id.
const apiKeyEventKey = "toolbase.apiKey"

// apiKeyOf returns the id of the API key that authenticated the request, or "".
func apiKeyOf(e *core.RequestEvent) string {
	id, _ := e.Get(apiKeyEventKey).(string)
	return id
}
