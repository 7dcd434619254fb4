// Command sei-gitops-engines drives the real GitOps apply engines against a cluster, configured as the shipping
// controllers configure them, so the integration tests exercise what Argo CD and Flux really do rather than an
// imitation with kubectl:
//
//	sei-gitops-engines flux [--name N] [--namespace NS] [--inventory FILE] [--force] [--prune] DIR|FILE|-
//	sei-gitops-engines flux --delete [--name N] [--namespace NS] [--prune] --inventory FILE
//	sei-gitops-engines argo [--app A] [--namespace NS] [--state FILE] [--prune] [--force] [--sync-option O]… DIR|FILE|-
//	sei-gitops-engines argo --delete [--app A] [--namespace NS] --state FILE
//
// Flux is github.com/fluxcd/pkg/ssa (kustomize-controller v1.7.3's apply engine); Argo CD is the sync package of
// github.com/argoproj/gitops-engine at the commit argo-cd v3.2.6 pins. KUBECONFIG names the cluster. The result is
// one JSON object on stdout; a failed sync exits 1 with the engine's message on stderr.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Result is what a run reports on stdout: one entry per object the engine touched or decided about.
type Result struct {
	Engine    string           `json:"engine"`
	Phase     string           `json:"phase"`
	Message   string           `json:"message,omitempty"`
	Resources []ResourceResult `json:"resources"`
}

// ResourceResult is one object's outcome, in the engine's own words (Flux's action, Argo CD's status and message).
type ResourceResult struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	Action    string `json:"action"`
	Message   string `json:"message,omitempty"`
}

func restConfig(userAgent string) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("no cluster: %w (set KUBECONFIG)", err)
	}
	cfg.UserAgent = userAgent
	// The test control plane is on loopback and small; the controllers' own client rate limits are not under test.
	cfg.QPS, cfg.Burst = 200, 400
	return cfg, nil
}

func usage() {
	fmt.Fprint(os.Stderr, `usage:
  sei-gitops-engines flux [--name N] [--namespace NS] [--inventory FILE] [--force] [--prune] DIR|FILE|-
  sei-gitops-engines flux --delete [--name N] [--namespace NS] [--prune] --inventory FILE
  sei-gitops-engines argo [--app A] [--namespace NS] [--state FILE] [--prune] [--force] [--sync-option OPT]... DIR|FILE|-
  sei-gitops-engines argo --delete [--app A] [--namespace NS] --state FILE
`)
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	var (
		res *Result
		err error
	)
	switch os.Args[1] {
	case "flux":
		res, err = runFlux(os.Args[2:])
	case "argo":
		res, err = runArgo(os.Args[2:])
	case "-h", "--help", "help":
		usage()
		return
	default:
		usage()
		os.Exit(2)
	}
	if res != nil {
		out, _ := json.Marshal(res)
		fmt.Println(string(out))
	}
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
