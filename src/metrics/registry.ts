import { Counter, Gauge, type CounterConfiguration, type GaugeConfiguration, type Registry } from 'prom-client'

/**
 * Makers of counters and gauges that live in `registry` alone: prom-client adds every metric to its
 * global registry unless told otherwise, and two apps in one process would then count together.
 */
export function metricsIn (registry: Registry) {
  return {
    counter: <T extends string>(config: CounterConfiguration<T>): Counter<T> => new Counter<T>({ ...config, registers: [registry] }),
    gauge: <T extends string>(config: GaugeConfiguration<T>): Gauge<T> => new Gauge<T>({ ...config, registers: [registry] })
  }
}
