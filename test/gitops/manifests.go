package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	ssautil "github.com/fluxcd/pkg/ssa/utils"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// readManifests reads every object of a directory's *.yaml/*.yml/*.json files (sorted by name, as dist/ is), one
// file, or stdin ("-").
func readManifests(source string) ([]*unstructured.Unstructured, error) {
	var data []byte
	switch info, err := os.Stat(source); {
	case source == "-":
		if data, err = io.ReadAll(os.Stdin); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	case info.IsDir():
		entries, err := os.ReadDir(source)
		if err != nil {
			return nil, err
		}
		var names []string
		for _, e := range entries {
			n := e.Name()
			if !e.IsDir() && (strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml") || strings.HasSuffix(n, ".json")) {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		for _, n := range names {
			b, err := os.ReadFile(filepath.Join(source, n))
			if err != nil {
				return nil, err
			}
			data = append(data, []byte("\n---\n")...)
			data = append(data, b...)
		}
	default:
		if data, err = os.ReadFile(source); err != nil {
			return nil, err
		}
	}
	objects, err := ssautil.ReadObjects(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("reading manifests from %s: %w", source, err)
	}
	return objects, nil
}
