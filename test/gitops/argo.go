package main

// Argo CD: the application controller's sync of one Application, as argo-cd v3.2.6's controller/sync.go
// (appStateManager.SyncAppState) configures github.com/argoproj/gitops-engine's sync package, and its cascading
// deletion of an Application (controller/appcontroller.go, finalizeApplicationDeletion / shouldBeDeleted).
// Not reproduced: repo-server rendering, diffing/ApplyOutOfSyncOnly, hooks, health overrides, project permissions.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/argoproj/gitops-engine/pkg/sync"
	"github.com/argoproj/gitops-engine/pkg/sync/common"
	"github.com/argoproj/gitops-engine/pkg/sync/resource"
	kubeutil "github.com/argoproj/gitops-engine/pkg/utils/kube"
	"github.com/argoproj/gitops-engine/pkg/utils/tracing"
	"github.com/go-logr/logr"
	"github.com/go-logr/stdr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

const (
	// common/common.go: ArgoCDSSAManager, the field manager of server-side apply syncs.
	argoSSAManager = "argocd-controller"
	// common/common.go: AnnotationKeyAppInstance, the annotation of annotation-based resource tracking (the default
	// tracking method since Argo CD 3.0).
	argoTrackingAnnotation = "argocd.argoproj.io/tracking-id"
	// cmd/argocd-application-controller/commands/argocd_application_controller.go sets
	// config.UserAgent = "<DefaultApplicationControllerName>/<version> (<platform>)". A write without a field
	// manager (Replace=true's PUT/POST) is recorded under the User-Agent's first segment.
	argoUserAgent = "argocd-application-controller/v3.2.6 (linux/amd64)"
)

// argoState is what Argo CD's cluster cache knows between syncs: the kinds this Application has synced, so that a
// later sync (or the Application's deletion) finds the live objects carrying its tracking id and prunes them.
type argoState struct {
	Kinds []string `json:"kinds"` // "group/version/Kind"
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, strings.Split(v, ",")...); return nil }

// syncOptions mirrors Application.spec.syncPolicy.syncOptions: SyncOptions.HasOption.
type syncOptions []string

func (s syncOptions) has(o string) bool {
	for _, x := range s {
		if strings.TrimSpace(x) == o {
			return true
		}
	}
	return false
}

type namespacedInfo struct{ mapper meta.RESTMapper }

func (n namespacedInfo) IsNamespaced(gk schema.GroupKind) (bool, error) {
	m, err := n.mapper.RESTMapping(gk)
	if err != nil {
		return false, err
	}
	return m.Scope.Name() == meta.RESTScopeNameNamespace, nil
}

// trackingID is resourceTracking.BuildAppInstanceValue (util/argo/resource_tracking.go):
// "<app>:<group>/<kind>:<namespace>/<name>".
func trackingID(app string, u *unstructured.Unstructured) string {
	gvk := u.GroupVersionKind()
	return fmt.Sprintf("%s:%s/%s:%s/%s", app, gvk.Group, gvk.Kind, u.GetNamespace(), u.GetName())
}

func trackedBy(app string, u *unstructured.Unstructured) bool {
	return strings.HasPrefix(u.GetAnnotations()[argoTrackingAnnotation], app+":")
}

func runArgo(args []string) (*Result, error) {
	fs := flag.NewFlagSet("argo", flag.ContinueOnError)
	app := fs.String("app", "sei", "the Application's name (first segment of the tracking id)")
	namespace := fs.String("namespace", "", "spec.destination.namespace (for objects without one)")
	statePath := fs.String("state", "", "file holding what the cluster cache knows about the Application between runs")
	prune := fs.Bool("prune", false, "sync with prune (syncPolicy.automated.prune or argocd app sync --prune)")
	force := fs.Bool("force", false, "sync strategy force (argocd app sync --force): delete and recreate on apply failure / replace --force")
	del := fs.Bool("delete", false, "the Application is deleted with cascade (foreground): delete its live objects")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up on the operation after this long")
	var opts multiFlag
	fs.Var(&opts, "sync-option", "spec.syncPolicy.syncOptions entry (repeatable, or comma-separated): ServerSideApply=true, Replace=true, PrunePropagationPolicy=background, …")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	syncOpts := syncOptions(opts)
	// Replace=true's kubectl replace/create run through a kubectl factory built from the raw config, which carries
	// client-go's default User-Agent: the binary's base name (rest.DefaultKubernetesUserAgent reads os.Args[0]). In
	// Argo CD that is the argocd multi-call binary started as argocd-application-controller, so the API server records
	// those writes under the manager "argocd-application-controller". Run as the controller does.
	os.Args[0] = "argocd-application-controller"

	cfg, err := restConfig(argoUserAgent)
	if err != nil {
		return nil, err
	}
	disco, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disco))
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	state := &argoState{}
	if *statePath != "" {
		if b, err := os.ReadFile(*statePath); err == nil {
			if err := json.Unmarshal(b, state); err != nil {
				return nil, fmt.Errorf("state %s: %w", *statePath, err)
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}

	var targets []*unstructured.Unstructured
	if !*del {
		if fs.NArg() != 1 {
			return nil, errors.New("argo: one manifest source (DIR, FILE or -) is required")
		}
		if targets, err = readManifests(fs.Arg(0)); err != nil {
			return nil, err
		}
	}
	// The live objects of the Application: every object of a kind it has synced that carries its tracking id, plus
	// each target's same-named live object whoever made it (the cluster cache's GetManagedLiveObjs).
	kinds := map[string]schema.GroupVersionKind{}
	for _, k := range state.Kinds {
		parts := strings.SplitN(k, "/", 3)
		if len(parts) == 3 {
			kinds[k] = schema.GroupVersionKind{Group: parts[0], Version: parts[1], Kind: parts[2]}
		}
	}
	for _, t := range targets {
		gvk := t.GroupVersionKind()
		kinds[gvk.Group+"/"+gvk.Version+"/"+gvk.Kind] = gvk
		if t.GetNamespace() == "" && *namespace != "" {
			if namespaced, err := (namespacedInfo{mapper}).IsNamespaced(gvk.GroupKind()); err == nil && namespaced {
				t.SetNamespace(*namespace)
			}
		}
		// util/argo/resource_tracking.go SetAppInstance (annotation tracking): set on every target before the sync.
		ann := t.GetAnnotations()
		if ann == nil {
			ann = map[string]string{}
		}
		ann[argoTrackingAnnotation] = trackingID(*app, t)
		t.SetAnnotations(ann)
	}
	getLive := func() (map[kubeutil.ResourceKey]*unstructured.Unstructured, error) {
		live := map[kubeutil.ResourceKey]*unstructured.Unstructured{}
		mapper.Reset() // a CRD synced in an earlier wave makes its kind mappable now
		for _, gvk := range kinds {
			mapping, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
			if err != nil {
				continue // a kind whose CRD is not installed yet has no live objects
			}
			list, err := dyn.Resource(mapping.Resource).List(ctx, metav1.ListOptions{})
			if err != nil {
				return nil, fmt.Errorf("listing %s: %w", mapping.Resource, err)
			}
			for i := range list.Items {
				if u := &list.Items[i]; trackedBy(*app, u) {
					live[kubeutil.GetResourceKey(u)] = u
				}
			}
		}
		for _, t := range targets {
			key := kubeutil.GetResourceKey(t)
			if _, ok := live[key]; ok {
				continue
			}
			mapping, err := mapper.RESTMapping(t.GroupVersionKind().GroupKind(), t.GroupVersionKind().Version)
			if err != nil {
				continue
			}
			var ri dynamic.ResourceInterface = dyn.Resource(mapping.Resource)
			if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
				ri = dyn.Resource(mapping.Resource).Namespace(t.GetNamespace())
			}
			if u, err := ri.Get(ctx, t.GetName(), metav1.GetOptions{}); err == nil {
				live[key] = u
			} else if !apierrors.IsNotFound(err) {
				return nil, err
			}
		}
		return live, nil
	}

	log := logr.Discard()
	if os.Getenv("SEI_GITOPS_VERBOSE") != "" {
		log = stdr.New(nil)
	}
	kubectl := &kubeutil.KubectlCmd{Log: log, Tracer: tracing.NopTracer{}} // util/kube/kubectl.go NewKubectl
	result := &Result{Engine: "argo"}

	if *del {
		var live map[kubeutil.ResourceKey]*unstructured.Unstructured
		if live, err = getLive(); err == nil {
			err = argoDeleteApp(ctx, kubectl, cfg, live, result)
		}
	} else {
		err = argoSync(ctx, kubectl, cfg, *namespace, targets, getLive, mapper, syncOpts, *prune, *force, log, result)
	}
	if *statePath != "" {
		if *del && err == nil {
			_ = os.Remove(*statePath)
		} else {
			state.Kinds = state.Kinds[:0]
			for k := range kinds {
				state.Kinds = append(state.Kinds, k)
			}
			sort.Strings(state.Kinds)
			b, _ := json.MarshalIndent(state, "", "  ")
			if werr := os.WriteFile(*statePath, b, 0o644); werr != nil && err == nil {
				err = werr
			}
		}
	}
	return result, err
}

func argoSync(ctx context.Context, kubectl *kubeutil.KubectlCmd, cfg *rest.Config, namespace string,
	targets []*unstructured.Unstructured, getLive func() (map[kubeutil.ResourceKey]*unstructured.Unstructured, error), mapper meta.ResettableRESTMapper,
	syncOpts syncOptions, prune, force bool, log logr.Logger, result *Result) error {
	openAPISchema, _, err := kubectl.LoadOpenAPISchema(cfg)
	if err != nil {
		return fmt.Errorf("failed to load openAPISchema: %w", err)
	}

	// controller/sync.go: the prune propagation policy (foreground unless a PrunePropagationPolicy option says else).
	prunePropagationPolicy := metav1.DeletePropagationForeground
	switch {
	case syncOpts.has("PrunePropagationPolicy=background"):
		prunePropagationPolicy = metav1.DeletePropagationBackground
	case syncOpts.has("PrunePropagationPolicy=foreground"):
		prunePropagationPolicy = metav1.DeletePropagationForeground
	case syncOpts.has("PrunePropagationPolicy=orphan"):
		prunePropagationPolicy = metav1.DeletePropagationOrphan
	}
	// controller/sync.go: the options SyncAppState passes to sync.NewSyncContext, in its order. The sync-wave hook is
	// a no-op here (Argo CD waits ARGOCD_SYNC_WAVE_DELAY, 2 s by default, between waves; waiting proves nothing).
	opts := []sync.SyncOpt{
		sync.WithLogr(log),
		sync.WithOperationSettings(false, prune, force, false),
		sync.WithManifestValidation(!syncOpts.has(common.SyncOptionsDisableValidation)),
		sync.WithSyncWaveHook(func(common.SyncPhase, int, bool) error { return nil }),
		sync.WithPruneLast(syncOpts.has(common.SyncOptionPruneLast)),
		sync.WithPrunePropagationPolicy(&prunePropagationPolicy),
		sync.WithReplace(syncOpts.has(common.SyncOptionReplace)),
		sync.WithServerSideApply(syncOpts.has(common.SyncOptionServerSideApply)),
		sync.WithServerSideApplyManager(argoSSAManager),
		sync.WithClientSideApplyMigration(!syncOpts.has(common.SyncOptionDisableClientSideApplyMigration), common.DefaultClientSideApplyMigrationManager),
		sync.WithPruneConfirmed(false),
		sync.WithSkipDryRunOnMissingResource(syncOpts.has(common.SyncOptionSkipDryRunOnMissingResource)),
	}
	// The application controller calls SyncAppState once per pass over the Application: each pass compares the
	// targets with the live state of that moment (the cluster cache), builds a new sync context that resumes from the
	// operation state the last pass stored (WithInitialState), runs Sync() once, and requeues until the phase completes.
	var (
		phase     common.OperationPhase = common.OperationRunning
		message   string
		res       []common.ResourceSyncResult
		startedAt = metav1.Now()
	)
	for first := true; ; first = false {
		live, err := getLive()
		if err != nil {
			return err
		}
		targetsNow := make([]*unstructured.Unstructured, len(targets))
		for i, t := range targets {
			targetsNow[i] = t.DeepCopy()
		}
		reconciliation := sync.Reconcile(targetsNow, live, namespace, namespacedInfo{mapper})
		passOpts := opts
		if !first {
			passOpts = append(append([]sync.SyncOpt{}, opts...), sync.WithInitialState(phase, message, res, startedAt))
		}
		syncCtx, cleanup, err := sync.NewSyncContext("HEAD", reconciliation, cfg, cfg, kubectl, namespace, openAPISchema, passOpts...)
		if err != nil {
			return fmt.Errorf("failed to initialize sync context: %w", err)
		}
		if ctx.Err() != nil {
			syncCtx.Terminate()
		} else {
			syncCtx.Sync()
		}
		phase, message, res = syncCtx.GetState()
		cleanup()
		if phase.Completed() {
			break
		}
		if ctx.Err() != nil {
			phase, message = common.OperationFailed, fmt.Sprintf("operation still running at the timeout: %s", message)
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
	result.Phase, result.Message = string(phase), message
	for _, r := range res {
		result.Resources = append(result.Resources, ResourceResult{
			Kind: r.ResourceKey.Kind, Namespace: r.ResourceKey.Namespace, Name: r.ResourceKey.Name,
			Action: string(r.Status), Message: r.Message,
		})
	}
	if !phase.Successful() {
		var failed []string
		for _, r := range res {
			if r.Status == common.ResultCodeSyncFailed {
				failed = append(failed, fmt.Sprintf("%s/%s: %s", r.ResourceKey.Kind, r.ResourceKey.Name, r.Message))
			}
		}
		return fmt.Errorf("sync %s: %s\n%s", phase, message, strings.Join(failed, "\n"))
	}
	return nil
}

// argoDeleteApp is finalizeApplicationDeletion with the default (foreground) cascade: every live object of the
// Application except CRDs and objects marked Delete=false (or helm.sh/resource-policy: keep) is deleted.
func argoDeleteApp(ctx context.Context, kubectl *kubeutil.KubectlCmd, cfg *rest.Config,
	live map[kubeutil.ResourceKey]*unstructured.Unstructured, result *Result) error {
	propagation := metav1.DeletePropagationForeground
	var errs []string
	for _, obj := range live {
		key := kubeutil.GetResourceKey(obj)
		entry := ResourceResult{Kind: key.Kind, Namespace: key.Namespace, Name: key.Name}
		switch {
		case kubeutil.IsCRD(obj),
			resource.HasAnnotationOption(obj, common.AnnotationSyncOptions, common.SyncOptionDisableDeletion),
			resource.HasAnnotationOption(obj, "helm.sh/resource-policy", "keep"):
			entry.Action = "Kept"
		default:
			if err := kubectl.DeleteResource(ctx, cfg, obj.GroupVersionKind(), obj.GetName(), obj.GetNamespace(),
				metav1.DeleteOptions{PropagationPolicy: &propagation}); err != nil && !apierrors.IsNotFound(err) {
				entry.Action, entry.Message = "DeleteFailed", err.Error()
				errs = append(errs, fmt.Sprintf("%s/%s: %v", key.Kind, key.Name, err))
			} else {
				entry.Action = "Deleted"
			}
		}
		result.Resources = append(result.Resources, entry)
	}
	sort.Slice(result.Resources, func(i, j int) bool {
		a, b := result.Resources[i], result.Resources[j]
		return a.Kind+"/"+a.Name < b.Kind+"/"+b.Name
	})
	if len(errs) > 0 {
		result.Phase, result.Message = "Failed", strings.Join(errs, "; ")
		return errors.New(result.Message)
	}
	result.Phase = "Succeeded"
	return nil
}
