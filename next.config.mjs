/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Bottom-left (the default) sat on the registry's first row; bottom-right covers nothing that matters.
  devIndicators: { position: "bottom-right" },
  // Native and Node-only packages stay outside the bundle.
  serverExternalPackages: ["better-sqlite3", "pino", "pino-pretty", "ws"],
};

export default nextConfig;
