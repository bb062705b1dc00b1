// The app's declarations, in one place: server.ts imports this module at startup so that
// every event and query exists before the first trigger (like the seed's `fluid/events` package).
import "./register";
import "./models";
import "./demo";
import "./visitors";
import "./reports";
