//go:build tools

// Package kube pins the Kubernetes control-plane commands the integration tests build (see build.ts):
// `go build` of these import paths from this module gives kube-apiserver, kube-controller-manager and kubectl at
// the k8s.io/kubernetes version in go.mod.
package kube

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
