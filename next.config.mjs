/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Native and Node-only packages stay outside the bundle.
  serverExternalPackages: ["better-sqlite3", "pino", "pino-pretty", "ws"],
};

export default nextConfig;
