// Package migrations creates toolbase's schema: every collection, index, API rule
// and default setting. A migration's id is its file name, so files are never renamed.
package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// points returns an integer amount field bounded by [min, 1e+12].
func points(name string, min float64) *core.NumberField {
	return &core.NumberField{Name: name, OnlyInt: true, Min: types.Pointer(min), Max: types.Pointer(float64(1e+12))}
}

// relation returns a single relation to the collection with the given id.
func relation(name, collectionID string, required bool) *core.RelationField {
	return &core.RelationField{Name: name, CollectionId: collectionID, MaxSelect: 1, Required: required}
}

// timestamps returns the created_at/updated_at autodate fields every collection ends with.
func timestamps() []core.Field {
	return []core.Field{
		&core.AutodateField{Name: "created_at", OnCreate: true},
		&core.AutodateField{Name: "updated_at", OnCreate: true, OnUpdate: true},
	}
}

// collectionID returns the id of an existing collection.
func collectionID(app core.App, name string) (string, error) {
	c, err := app.FindCollectionByNameOrId(name)
	if err != nil {
		return "", err
	}
	return c.Id, nil
}

// collectionIDs returns the ids of existing collections, by name.
func collectionIDs(app core.App, names ...string) (map[string]string, error) {
	ids := make(map[string]string, len(names))
	for _, name := range names {
		id, err := collectionID(app, name)
		if err != nil {
			return nil, err
		}
		ids[name] = id
	}
	return ids, nil
}

// deleteCollection is the down migration of a migration that creates one collection.
func deleteCollection(name string) func(core.App) error {
	return func(app core.App) error {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			return err
		}
		return app.Delete(c)
	}
}
