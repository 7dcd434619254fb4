package main

// Flux: kustomize-controller v1.7.3's apply, prune and finalize steps, copied from its
// internal/controller/kustomization_controller.go (KustomizationReconciler.reconcile, .apply, .prune, .finalize).
// Only what decides which objects are written, recreated or deleted, and how, is reproduced; the source fetch,
// kustomize build, decryption, health checks and status conditions are not.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/fluxcd/cli-utils/pkg/kstatus/polling"
	"github.com/fluxcd/cli-utils/pkg/object"
	"github.com/fluxcd/pkg/ssa"
	"github.com/fluxcd/pkg/ssa/normalize"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const (
	// kustomizev1.GroupVersion.Group: the owner group of the labels and of every per-object annotation below.
	fluxGroup = "kustomize.toolkit.fluxcd.io"
	// The controller's name is its field manager (main.go: controllerName = "kustomize-controller").
	fluxControllerName = "kustomize-controller"
	// kustomizev1.EnabledValue, DisabledValue, MergeValue, IfNotPresentValue, IgnoreValue.
	fluxEnabled, fluxDisabled, fluxMerge, fluxIfNotPresent, fluxIgnore = "enabled", "disabled", "Merge", "IfNotPresent", "Ignore"
)

// fluxInventory is the Kustomization's .status.inventory (api/v1 ResourceInventory): the objects the last apply
// wrote, by object.ObjMetadata id ("<namespace>_<name>_<group>_<kind>") and version. Flux prunes what drops out.
type fluxInventory struct {
	Entries []fluxInventoryEntry `json:"entries"`
}

type fluxInventoryEntry struct {
	ID      string `json:"id"`
	Version string `json:"v"`
}

func readInventory(path string) (*fluxInventory, error) {
	inv := &fluxInventory{}
	if path == "" {
		return inv, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return inv, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, inv); err != nil {
		return nil, fmt.Errorf("inventory %s: %w", path, err)
	}
	return inv, nil
}

func writeInventory(path string, inv *fluxInventory) error {
	if path == "" {
		return nil
	}
	sort.Slice(inv.Entries, func(i, j int) bool { return inv.Entries[i].ID < inv.Entries[j].ID })
	b, _ := json.MarshalIndent(inv, "", "  ")
	return os.WriteFile(path, b, 0o644)
}

// objects turns inventory entries back into objects to delete (internal/inventory: List / Diff).
func (inv *fluxInventory) objects() ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	for _, e := range inv.Entries {
		m, err := object.ParseObjMetadata(e.ID)
		if err != nil {
			return nil, fmt.Errorf("inventory entry %q: %w", e.ID, err)
		}
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(schema.GroupVersionKind{Group: m.GroupKind.Group, Kind: m.GroupKind.Kind, Version: e.Version})
		u.SetName(m.Name)
		u.SetNamespace(m.Namespace)
		out = append(out, u)
	}
	return out, nil
}

// fluxApplyOptions is KustomizationReconciler.apply's configuration, field by field.
func fluxApplyOptions(force bool) ssa.ApplyOptions {
	opts := ssa.DefaultApplyOptions()
	opts.Force = force
	opts.ExclusionSelector = map[string]string{
		fluxGroup + "/reconcile": fluxDisabled,
		fluxGroup + "/ssa":       fluxIgnore,
	}
	opts.IfNotPresentSelector = map[string]string{fluxGroup + "/ssa": fluxIfNotPresent}
	opts.ForceSelector = map[string]string{fluxGroup + "/force": fluxEnabled}
	// The field-manager cleanup list: managers whose fields Flux takes over (and removes) on every apply. This is the
	// step that rewrites a kubectl-created object's managedFields to kustomize-controller's alone.
	opts.Cleanup = ssa.ApplyCleanupOptions{
		Annotations: []string{corev1.LastAppliedConfigAnnotation, fluxGroup + "/checksum", "fluxcd.io/sync-checksum"},
		Labels:      []string{"fluxcd.io/sync-gc-mark"},
		FieldManagers: []ssa.FieldManager{
			{Name: "kubectl", OperationType: metav1.ManagedFieldsOperationApply},
			{Name: "kubectl", OperationType: metav1.ManagedFieldsOperationUpdate},
			{Name: "before-first-apply", OperationType: metav1.ManagedFieldsOperationUpdate},
			{Name: fluxControllerName, OperationType: metav1.ManagedFieldsOperationUpdate},
			// r.DisallowedFieldManagers is empty unless --override-manager is set; the shipping default is empty.
		},
		Exclusions: map[string]string{fluxGroup + "/ssa": fluxMerge},
	}
	return opts
}

// fluxDeleteOptions is KustomizationReconciler.prune's (and .finalize's) configuration.
func fluxDeleteOptions(m *ssa.ResourceManager, name, namespace string) ssa.DeleteOptions {
	return ssa.DeleteOptions{
		PropagationPolicy: metav1.DeletePropagationBackground,
		Inclusions:        m.GetOwnerLabels(name, namespace),
		Exclusions: map[string]string{
			fluxGroup + "/prune":     fluxDisabled,
			fluxGroup + "/reconcile": fluxDisabled,
		},
	}
}

func runFlux(args []string) (*Result, error) {
	fs := flag.NewFlagSet("flux", flag.ContinueOnError)
	name := fs.String("name", "sei", "the Kustomization's name (owner label kustomize.toolkit.fluxcd.io/name)")
	namespace := fs.String("namespace", "flux-system", "the Kustomization's namespace (owner label …/namespace)")
	inventoryPath := fs.String("inventory", "", "file holding the Kustomization's inventory between runs (.status.inventory)")
	force := fs.Bool("force", false, "spec.force: recreate objects whose apply fails on an immutable field")
	prune := fs.Bool("prune", false, "spec.prune: delete objects that left the inventory (and, with --delete, all of them)")
	del := fs.Bool("delete", false, "the Kustomization is deleted: run its finalizer (deletionPolicy MirrorPrune, the default)")
	timeout := fs.Duration("timeout", 2*time.Minute, "spec.timeout")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	cfg, err := restConfig(fluxControllerName + "/v1.7.3")
	if err != nil {
		return nil, err
	}
	kubeClient, err := client.New(cfg, client.Options{})
	if err != nil {
		return nil, err
	}
	poller := polling.NewStatusPoller(kubeClient, kubeClient.RESTMapper(), polling.Options{})
	manager := ssa.NewResourceManager(kubeClient, poller, ssa.Owner{Field: fluxControllerName, Group: fluxGroup})
	manager.SetConcurrency(4) // main.go: --concurrent-ssa defaults to 4
	result := &Result{Engine: "flux", Phase: "Succeeded"}

	oldInventory, err := readInventory(*inventoryPath)
	if err != nil {
		return nil, err
	}

	if *del {
		// finalizerShouldDeleteResources: MirrorPrune deletes the inventory only when spec.prune is true.
		if *prune && len(oldInventory.Entries) > 0 {
			objects, err := oldInventory.objects()
			if err != nil {
				return nil, err
			}
			changeSet, err := manager.DeleteAll(ctx, objects, fluxDeleteOptions(manager, *name, *namespace))
			addChangeSet(result, changeSet)
			if err != nil {
				result.Phase, result.Message = "Failed", err.Error()
				return result, err
			}
		}
		if *inventoryPath != "" {
			_ = os.Remove(*inventoryPath)
		}
		return result, nil
	}

	if fs.NArg() != 1 {
		return nil, errors.New("flux: one manifest source (DIR, FILE or -) is required")
	}
	objects, err := readManifests(fs.Arg(0))
	if err != nil {
		return nil, err
	}
	manager.SetOwnerLabels(objects, *name, *namespace)
	if err := normalize.UnstructuredList(objects); err != nil {
		return nil, err
	}

	changeSet, err := manager.ApplyAllStaged(ctx, objects, fluxApplyOptions(*force))
	addChangeSet(result, changeSet)
	if err != nil {
		result.Phase, result.Message = "Failed", err.Error()
		return result, err
	}

	// The new inventory is what was applied; skipped objects are neither inventoried nor pruned.
	newInventory := &fluxInventory{}
	kept := map[string]bool{}
	for _, e := range changeSet.Entries {
		id := e.ObjMetadata.String()
		kept[id] = true
		if e.Action != ssa.SkippedAction {
			gv, err := schema.ParseGroupVersion(e.GroupVersion)
			if err != nil {
				return nil, err
			}
			newInventory.Entries = append(newInventory.Entries, fluxInventoryEntry{ID: id, Version: gv.Version})
		}
	}
	stale := &fluxInventory{}
	for _, e := range oldInventory.Entries {
		if !kept[e.ID] {
			stale.Entries = append(stale.Entries, e)
		}
	}
	if *prune && len(stale.Entries) > 0 {
		staleObjects, err := stale.objects()
		if err != nil {
			return nil, err
		}
		pruned, err := manager.DeleteAll(ctx, staleObjects, fluxDeleteOptions(manager, *name, *namespace))
		addChangeSet(result, pruned)
		if err != nil {
			result.Phase, result.Message = "Failed", err.Error()
			return result, err
		}
	}
	return result, writeInventory(*inventoryPath, newInventory)
}

func addChangeSet(r *Result, cs *ssa.ChangeSet) {
	if cs == nil {
		return
	}
	for _, e := range cs.Entries {
		r.Resources = append(r.Resources, ResourceResult{
			Kind: e.ObjMetadata.GroupKind.Kind, Namespace: e.ObjMetadata.Namespace, Name: e.ObjMetadata.Name, Action: string(e.Action),
		})
	}
}
