// Calicoscope's build: create-plugin's webpack configuration (.config/webpack, scaffolded by
// `npx @grafana/create-plugin`, not edited), extended as create-plugin documents it:
//  - the output goes to target/frontend/, since dist/ holds the packaged app (scripts/package.sh
//    assembles it with the backend binaries, the wasm and the dashboards);
//  - plugin.json files are stamped by scripts/package.sh with the CHANGELOG's release date,
//    not today's (create-plugin's ReplaceInFileWebpackPlugin would write today's), and
//    package.sh copies README, LICENSE, CHANGELOG and the screenshots, so create-plugin's copy
//    step is narrowed to what the modules need beside them: the plugin.json files, the
//    datasource's settings.json (the config editor reads it) and the logos.
import path from 'path';
import CopyWebpackPlugin from 'copy-webpack-plugin';
import ReplaceInFileWebpackPlugin from 'replace-in-file-webpack-plugin';
import type { Configuration } from 'webpack';

import grafanaConfig, { type Env } from './.config/webpack/webpack.config.ts';

const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  return {
    ...base,
    output: { ...base.output, path: path.resolve(process.cwd(), 'target/frontend'), clean: true },
    plugins: [
      ...(base.plugins ?? []).filter((p) => !(p instanceof CopyWebpackPlugin || p instanceof ReplaceInFileWebpackPlugin)),
      new CopyWebpackPlugin({
        patterns: [
          { from: '**/plugin.json', to: '.' },
          { from: 'datasource/settings.json', to: 'datasource/' },
          ...['img/logo.svg', 'datasource/img/logo.svg', 'panel/img/logo.svg'].map((to) => ({ from: 'img/logo.svg', to })),
        ],
      }),
    ],
  };
};

export default config;
