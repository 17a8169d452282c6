import { z } from 'zod';
import { defaultBrokerKinds } from './engine/brokers/broker-kinds';
for (const [name, k] of Object.entries(defaultBrokerKinds())) {
  for (const s of [k.credentialsSchema, k.optionsSchema]) {
    console.log(name, s instanceof z.ZodObject);
    if (s instanceof z.ZodObject) for (const [f, v] of Object.entries(s.shape as Record<string, z.ZodType>)) console.log('  ', f, v._zod.def.type, v._zod.optin, (v as any)._zod.def.innerType?._zod.def.type, (v as any)._zod.def.innerType?._zod.def.in?._zod.def.type);
  }
}
