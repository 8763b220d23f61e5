// Small manifests shared by e2e tests that only need "a queue worker on a CPU HPA" (one QD101
// error); tests that assert line numbers keep their own text next to the assertions.

/** A Celery worker (rag/rag-worker) scaled by a CPU HPA at 70 %. */
export const CPU_HPA_WORKER = `apiVersion: apps/v1
kind: Deployment
metadata: {name: rag-worker, namespace: rag}
spec:
  selector: {matchLabels: {app: rag-worker}}
  template:
    metadata: {labels: {app: rag-worker}}
    spec:
      containers:
        - {name: worker, image: "rag:1", command: [celery, -A, rag, worker], resources: {requests: {cpu: 250m}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: rag-worker, namespace: rag}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: rag-worker}
  maxReplicas: 10
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}]
`;
