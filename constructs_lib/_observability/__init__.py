"""App-wide watching and scaling: observability settings, the dashboard, the queue-depth alert
and the Custom Metrics Stackdriver Adapter. The top wing: it may import every other wing but
the runtime."""
