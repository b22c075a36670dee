// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';
import { MessageChannel } from 'worker_threads';

// react-dom 19's server renderer, which @grafana/ui 13 imports, needs MessageChannel: jsdom has none.
Object.assign(global, { MessageChannel });

// @grafana/ui 13's select menu observes its options; jsdom has no IntersectionObserver.
class NoIntersectionObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
}
Object.assign(global, { IntersectionObserver: NoIntersectionObserver });
