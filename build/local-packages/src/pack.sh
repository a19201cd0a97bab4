#!/usr/bin/env bash
# Rebuilds the two stand-in packages in build/local-packages from their nuspec files.
# Only needed when a nuspec changes; the .nupkg files are committed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for id in Patched.DistributedLock.Postgres IdentityModel; do
  mkdir -p "$work/$id"
  cp "$here/$id.nuspec" "$here/_._" "$work/$id/"
  cat > "$work/$id/$id.csproj" <<CSPROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <IncludeBuildOutput>false</IncludeBuildOutput>
    <NuspecFile>$id.nuspec</NuspecFile>
    <NoWarn>\$(NoWarn);NU5128</NoWarn>
  </PropertyGroup>
</Project>
CSPROJ
  dotnet pack "$work/$id/$id.csproj" -o "$here/.." --nologo -v q
done
