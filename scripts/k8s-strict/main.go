// k8s-strict decodes every object of a multi-document YAML stream (stdin) into its Go type from
// k8s.io/api or the Prometheus Operator's API module, refusing unknown and duplicate fields and values
// of the wrong type: what the API server's strict field validation (kubectl apply --validate=strict)
// refuses, checked offline. One line per problem on stderr; exit 1 if any.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

type meta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
}

func target(apiVersion, kind string) any {
	switch apiVersion + "/" + kind {
	case "v1/ConfigMap":
		return &corev1.ConfigMap{}
	case "v1/Service":
		return &corev1.Service{}
	case "apps/v1/Deployment":
		return &appsv1.Deployment{}
	case "apps/v1/StatefulSet":
		return &appsv1.StatefulSet{}
	case "policy/v1/PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}
	case "monitoring.coreos.com/v1/ServiceMonitor":
		return &monitoringv1.ServiceMonitor{}
	case "monitoring.coreos.com/v1/PrometheusRule":
		return &monitoringv1.PrometheusRule{}
	}
	return nil
}

func main() {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(os.Stdin))
	problems, checked := 0, 0
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "read: %v\n", err)
			os.Exit(1)
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		var m meta
		if err := yaml.Unmarshal(doc, &m); err != nil {
			fmt.Fprintf(os.Stderr, "document %d: %v\n", checked+1, err)
			problems++
			continue
		}
		t := target(m.APIVersion, m.Kind)
		checked++
		if t == nil {
			fmt.Fprintf(os.Stderr, "%s %s: no Go type for %s here\n", m.Kind, m.Metadata.Name, m.APIVersion)
			problems++
			continue
		}
		if err := yaml.UnmarshalStrict(doc, t); err != nil {
			fmt.Fprintf(os.Stderr, "%s %s: %v\n", m.Kind, m.Metadata.Name, err)
			problems++
		}
	}
	fmt.Printf("%d objects checked, %d problems\n", checked, problems)
	if problems > 0 {
		os.Exit(1)
	}
}
